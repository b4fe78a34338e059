using System.Diagnostics.CodeAnalysis;

namespace Larder.Nix.Compression;

/// <summary>
/// Maps <see cref="CompressionKind"/> to the names Nix uses: the <c>?compression=</c> store parameter and the
/// narinfo <c>Compression:</c> field (<c>none</c>, <c>xz</c>, <c>zstd</c>, <c>bzip2</c>, <c>br</c>, <c>gzip</c>),
/// and the NAR file extensions (<c>.xz</c>, <c>.zst</c>, <c>.bz2</c>, <c>.br</c>, <c>.gz</c>, none).
/// </summary>
public static class CompressionNames
{
    /// <summary>
    /// What a narinfo without a <c>Compression:</c> line means: Nix treats a missing field as bzip2,
    /// the compression of the earliest binary caches.
    /// </summary>
    public const CompressionKind NarInfoDefault = CompressionKind.Bzip2;

    private static readonly (CompressionKind Kind, string Name, string Extension)[] Table =
    [
        (CompressionKind.None, "none", ""),
        (CompressionKind.Xz, "xz", ".xz"),
        (CompressionKind.Zstd, "zstd", ".zst"),
        (CompressionKind.Bzip2, "bzip2", ".bz2"),
        (CompressionKind.Brotli, "br", ".br"),
        (CompressionKind.Gzip, "gzip", ".gz"),
    ];

    /// <summary>The accepted Nix names, in a stable order (for help texts and error messages).</summary>
    public static IReadOnlyList<string> AcceptedNames { get; } = Array.ConvertAll(Table, row => row.Name);

    /// <summary>Parses a Nix compression name (case-sensitive, as Nix is).</summary>
    /// <exception cref="FormatException">The name is not one Nix uses; the message lists the accepted names.</exception>
    public static CompressionKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out var kind))
        {
            return kind;
        }

        throw new FormatException(
            $"unknown compression '{name}': expected one of {string.Join(", ", AcceptedNames)}");
    }

    /// <summary>Parses a Nix compression name; false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out CompressionKind kind)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, name, StringComparison.Ordinal))
            {
                kind = row.Kind;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The name Nix writes in a narinfo's <c>Compression:</c> field.</summary>
    public static string ToNixName(CompressionKind kind) => Row(kind).Name;

    /// <summary>The extension a NAR file gets after <c>.nar</c> (with its dot; empty for <see cref="CompressionKind.None"/>).</summary>
    public static string FileExtension(CompressionKind kind) => Row(kind).Extension;

    /// <summary>
    /// Finds the compression of a NAR file name such as <c>nar/1abc….nar.zst</c> from what follows <c>.nar</c>.
    /// False when the name does not end in <c>.nar</c> plus one of the known extensions.
    /// </summary>
    public static bool TryParseNarFileName(ReadOnlySpan<char> fileName, out CompressionKind kind)
    {
        foreach (var row in Table)
        {
            var suffixLength = 4 + row.Extension.Length;
            if (fileName.Length > suffixLength
                && fileName[^suffixLength..^row.Extension.Length].SequenceEqual(".nar")
                && fileName[^row.Extension.Length..].SequenceEqual(row.Extension))
            {
                kind = row.Kind;
                return true;
            }
        }

        kind = default;
        return false;
    }

    private static (CompressionKind Kind, string Name, string Extension) Row(CompressionKind kind)
    {
        foreach (var row in Table)
        {
            if (row.Kind == kind)
            {
                return row;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined CompressionKind");
    }
}
