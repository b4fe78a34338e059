using System.Buffers.Binary;

namespace Larder.Nix.Tests.Nar;

/// <summary>
/// Hand-built NARs for tests: each part is a NAR string (a <see cref="string"/> or <see cref="byte"/> array, written
/// with length prefix and zero padding), a <see cref="ulong"/> (a raw u64, e.g. a forged length), or
/// <see cref="Raw"/> bytes copied as they are.
/// </summary>
internal static class NarBytes
{
    public sealed record Raw(byte[] Bytes);

    public static byte[] Of(params object[] parts)
    {
        var output = new MemoryStream();
        foreach (var part in parts)
        {
            switch (part)
            {
                case string s:
                    WriteString(output, System.Text.Encoding.UTF8.GetBytes(s));
                    break;
                case byte[] b:
                    WriteString(output, b);
                    break;
                case ulong n:
                    WriteU64(output, n);
                    break;
                case Raw raw:
                    output.Write(raw.Bytes);
                    break;
                default:
                    throw new ArgumentException($"unsupported part {part}");
            }
        }
        return output.ToArray();
    }

    /// <summary>A directory NAR with the given entries, each a regular file holding its own name.</summary>
    public static byte[] DirectoryOf(params object[] names)
    {
        var parts = new List<object> { "nix-archive-1", "(", "type", "directory" };
        foreach (var name in names)
        {
            parts.AddRange(["entry", "(", "name", name, "node", "(", "type", "regular", "contents", "x", ")", ")"]);
        }
        parts.Add(")");
        return Of([.. parts]);
    }

    private static void WriteString(Stream output, byte[] value)
    {
        WriteU64(output, (ulong)value.Length);
        output.Write(value);
        output.Write(new byte[(8 - value.Length % 8) % 8]);
    }

    private static void WriteU64(Stream output, ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        output.Write(buffer);
    }
}
