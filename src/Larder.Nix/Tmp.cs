namespace Larder.Nix; internal static class Placeholder {}
