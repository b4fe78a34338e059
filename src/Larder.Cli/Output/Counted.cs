using System.Globalization;

namespace Larder.Cli.Output;

/// <summary>Counts with their noun in the right number: <c>1 path</c>, <c>2 paths</c>.</summary>
public static class Counted
{
    /// <summary><c>1 path</c>, <c>0 paths</c>, <c>2 paths</c>.</summary>
    public static string Paths(long count) => Of(count, "path", "paths");

    /// <summary><paramref name="count"/> followed by <paramref name="one"/> or <paramref name="many"/>.</summary>
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
