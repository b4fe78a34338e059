using System.Security.Cryptography;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Testing.Compression;
using Larder.Testing;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>Real NARs (made by Larder.Nix's writer, byte-identical to nix-store --dump) and their compressed forms.</summary>
internal static class NarFixtures
{
    /// <summary>The NAR of a small tree: a directory with a text file, an executable and a symlink.</summary>
    public static async Task<byte[]> TreeAsync(string content = "hello")
    {
        using var dir = new TempDirectory("larder-nar");
        var root = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        await File.WriteAllTextAsync(Path.Combine(root, "greeting"), content);
        var tool = Path.Combine(root, "bin", "tool");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho " + content + "\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(root, "link"), "greeting");
        return await DumpAsync(root);
    }

    /// <summary>The NAR of a single regular file holding <paramref name="size"/> bytes of <paramref name="fill"/>.</summary>
    public static async Task<byte[]> FileAsync(long size, byte fill = (byte)'a')
    {
        using var dir = new TempDirectory("larder-nar");
        var file = Path.Combine(dir.Path, "file");
        await using (var output = File.Create(file))
        {
            var block = new byte[64 * 1024];
            Array.Fill(block, fill);
            for (long left = size; left > 0; left -= block.Length)
            {
                await output.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, left)));
            }
        }
        return await DumpAsync(file);
    }

    public static async Task<byte[]> DumpAsync(string path)
    {
        using var nar = new MemoryStream();
        await NarWriter.WriteAsync(path, nar);
        return nar.ToArray();
    }

    public static async Task<byte[]> CompressAsync(byte[] data, CompressionKind kind)
    {
        using var output = new MemoryStream();
        await using (var compressor = TestCodecs.Compress(output, kind, null, leaveOpen: true))
        {
            await compressor.WriteAsync(data);
        }
        return output.ToArray();
    }

    public static async Task<byte[]> DecompressAsync(byte[] data, CompressionKind kind)
    {
        using var output = new MemoryStream();
        await using (var decompressor = Codecs.Decompress(new MemoryStream(data), kind, leaveOpen: false))
        {
            await decompressor.CopyToAsync(output);
        }
        return output.ToArray();
    }

    /// <summary><c>sha256:&lt;nix32&gt;</c> of <paramref name="data"/>.</summary>
    public static string Sha256(byte[] data) => NixHash.Compute(HashKind.Sha256, data).ToNix32String();

    /// <summary>Bare nix32 sha256, as Nix names NAR files.</summary>
    public static string Sha256Nix32(byte[] data) => NixHash.Compute(HashKind.Sha256, data).ToBase32();

    public static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);
}
