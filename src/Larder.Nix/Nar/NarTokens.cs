namespace Larder.Nix.Nar;

/// <summary>
/// The fixed strings of the NAR wire format and the limits the parser enforces.
/// A NAR is a sequence of strings, each a u64 little-endian length, the bytes, and zero padding to a multiple of 8:
/// <code>
/// nar       = "nix-archive-1" node
/// node      = "(" "type" ( "regular" ["executable" ""] "contents" BYTES
///                        | "symlink" "target" TARGET
///                        | "directory" { "entry" "(" "name" NAME "node" node ")" } ) ")"
/// </code>
/// Directory entries are sorted by the bytes of their names, and names are unique.
/// </summary>
internal static class NarTokens
{
    public static readonly byte[] Magic = "nix-archive-1"u8.ToArray();
    public static readonly byte[] Open = "("u8.ToArray();
    public static readonly byte[] Close = ")"u8.ToArray();
    public static readonly byte[] Type = "type"u8.ToArray();
    public static readonly byte[] Regular = "regular"u8.ToArray();
    public static readonly byte[] Executable = "executable"u8.ToArray();
    public static readonly byte[] Contents = "contents"u8.ToArray();
    public static readonly byte[] Symlink = "symlink"u8.ToArray();
    public static readonly byte[] Target = "target"u8.ToArray();
    public static readonly byte[] Directory = "directory"u8.ToArray();
    public static readonly byte[] Entry = "entry"u8.ToArray();
    public static readonly byte[] Name = "name"u8.ToArray();
    public static readonly byte[] Node = "node"u8.ToArray();

    /// <summary>Longest keyword string accepted; every keyword is shorter, so a longer one is an unknown token.</summary>
    public const int MaxTokenLength = 64;

    /// <summary>Longest entry name accepted (Linux allows 255 bytes; other systems a little more).</summary>
    public const int MaxNameLength = 1024;

    /// <summary>Longest symlink target accepted (Linux PATH_MAX).</summary>
    public const int MaxTargetLength = 4096;

    /// <summary>Number of zero bytes that pad a string of <paramref name="length"/> bytes to a multiple of 8.</summary>
    public static int PaddingFor(long length) => (int)((8 - (length & 7)) & 7);
}
