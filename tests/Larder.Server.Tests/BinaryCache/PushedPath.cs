using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Larder.Nix.Compression;
using Larder.Nix.Encoding;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>
/// A store path with a real NAR, uploaded the way <c>nix copy --to http://…</c> does it: PUT of the compressed NAR at
/// <c>nar/&lt;FileHash&gt;.nar.&lt;ext&gt;</c>, then PUT of the narinfo.
/// </summary>
public sealed class PushedPath
{
    private PushedPath(byte[] nar, byte[] body, CompressionKind compression, NarInfoRecord info)
    {
        Nar = nar;
        Body = body;
        Compression = compression;
        Info = info;
    }

    public byte[] Nar { get; }

    /// <summary>The NAR as uploaded (compressed).</summary>
    public byte[] Body { get; }

    public CompressionKind Compression { get; }

    /// <summary>The narinfo the client sends (with FileHash/FileSize of <see cref="Body"/>).</summary>
    public NarInfoRecord Info { get; }

    public string HashPart => Info.StorePath.HashPart;

    public string UploadUrl => Info.Url;

    public static string RandomHashPart()
    {
        var bytes = RandomNumberGenerator.GetBytes(20);
        return NixBase32.Encode(bytes);
    }

    public static async Task<PushedPath> CreateAsync(
        CompressionKind compression = CompressionKind.Zstd, IReadOnlyList<string>? references = null, string? name = null, byte[]? nar = null)
    {
        nar ??= await NarFixtures.TreeAsync(Guid.NewGuid().ToString());
        var body = await NarFixtures.CompressAsync(nar, compression);
        var fileHash = NixHash.Compute(HashKind.Sha256, body);
        var storePath = StorePath.Parse($"/nix/store/{RandomHashPart()}-{name ?? "test-path"}");
        var info = new NarInfoRecord
        {
            StorePath = storePath,
            Url = $"nar/{fileHash.ToBase32()}.nar{CompressionNames.FileExtension(compression)}",
            Compression = CompressionNames.ToNixName(compression),
            FileHash = fileHash,
            FileSize = body.Length,
            NarHash = NixHash.Compute(HashKind.Sha256, nar),
            NarSize = nar.Length,
            References = references ?? [],
        };
        return new PushedPath(nar, body, compression, info);
    }

    public PushedPath With(NarInfoRecord info) => new(Nar, Body, Compression, info);

    public async Task<HttpResponseMessage> PutNarAsync(HttpClient client, string cache)
    {
        var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-nix-nar");
        return await client.PutAsync($"{cache}/{UploadUrl}", content);
    }

    public Task<HttpResponseMessage> PutNarInfoAsync(HttpClient client, string cache) => PutNarInfoTextAsync(client, cache, Info.Render());

    public async Task<HttpResponseMessage> PutNarInfoTextAsync(HttpClient client, string cache, string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/x-nix-narinfo");
        return await client.PutAsync($"{cache}/{HashPart}.narinfo", content);
    }

    /// <summary>Both uploads; fails the test unless both succeed.</summary>
    public async Task PushAsync(HttpClient client, string cache)
    {
        using var nar = await PutNarAsync(client, cache);
        await BinaryCacheAssert.SuccessAsync(nar);
        using var narInfo = await PutNarInfoAsync(client, cache);
        await BinaryCacheAssert.SuccessAsync(narInfo);
    }
}
