namespace Larder.Contracts; internal static class Placeholder {}
