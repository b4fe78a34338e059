using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Larder.Nix.Encoding;

namespace Larder.Bench.Scale;

/// <summary>Deterministic fake hashes (path <c>i</c> always gets the same ones) and single-file NARs.</summary>
internal static class Synthetic
{
    public static string HashPart(int i, string salt = "p") => NixBase32.Encode(Digest(salt, i).AsSpan(0, 20));

    public static string Sha256(int i, string salt) => "sha256:" + NixBase32.Encode(Digest(salt, i));

    private static byte[] Digest(string salt, int i) => SHA256.HashData(Encoding.ASCII.GetBytes($"{salt}:{i}"));

    /// <summary>The NAR of a regular file with <paramref name="contents"/>.</summary>
    public static byte[] Nar(ReadOnlySpan<byte> contents)
    {
        using var output = new MemoryStream(contents.Length + 200);
        foreach (var token in new[] { "nix-archive-1", "(", "type", "regular", "contents" })
        {
            WriteString(output, Encoding.ASCII.GetBytes(token));
        }
        WriteString(output, contents);
        WriteString(output, ")"u8);
        return output.ToArray();
    }

    private static void WriteString(Stream output, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
        output.Write(length);
        output.Write(bytes);
        var padding = (8 - (bytes.Length % 8)) % 8;
        output.Write(new byte[padding]);
    }
}
