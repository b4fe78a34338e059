using System.Net;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.NarInfo;

namespace Larder.Server.Tests.Reliability;

/// <summary>
/// Checks what a cache serves over HTTP, as a client would see it: every narinfo that is served has its NAR (the
/// decompressed bytes match NarHash and NarSize, or at least the NAR answers 200 when only its presence is checked)
/// and every reference it names is served too. Returns the violations found, each one line.
/// </summary>
internal sealed class CacheWalker(HttpClient client)
{
    /// <summary>
    /// Walks <paramref name="storePaths"/> in <paramref name="cache"/> (absent ones are fine) and returns the violations
    /// and how many were served. NARs of paths in <paramref name="downloadNars"/> are downloaded and hashed.
    /// </summary>
    public async Task<(List<string> Violations, int Served)> WalkAsync(string cache, IEnumerable<string> storePaths, ISet<string> downloadNars)
    {
        var violations = new List<string>();
        var served = 0;
        foreach (var path in storePaths)
        {
            var narInfo = await NarInfoAsync(cache, path, violations);
            if (narInfo is null)
            {
                continue;
            }
            served++;
            await CheckNarAsync(cache, narInfo, downloadNars.Contains(path), violations);
            foreach (var reference in narInfo.ReferenceFullPaths.Where(r => r != path))
            {
                if (await NarInfoAsync(cache, reference, violations) is null)
                {
                    violations.Add($"{cache}: {path} is served but its reference {reference} is not");
                }
            }
        }
        return (violations, served);
    }

    /// <summary>The served narinfo of <paramref name="storePath"/>, or null when the cache answers 404.</summary>
    public async Task<NarInfo?> NarInfoAsync(string cache, string storePath, List<string> violations)
    {
        using var response = await client.GetAsync($"/{cache}/{Path.GetFileName(storePath)[..32]}.narinfo");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            violations.Add($"{cache}: narinfo of {storePath}: {(int)response.StatusCode} {text.Trim()}");
            return null;
        }
        return NarInfo.Parse(text);
    }

    private async Task CheckNarAsync(string cache, NarInfo narInfo, bool download, List<string> violations)
    {
        var url = $"/{cache}/{narInfo.Url}";
        using var request = new HttpRequestMessage(download ? HttpMethod.Get : HttpMethod.Head, url);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            violations.Add($"{cache}: {narInfo.StorePath} is served but its NAR {narInfo.Url} answers {(int)response.StatusCode}");
            return;
        }
        if (!download)
        {
            return;
        }
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var nar = Codecs.Decompress(body, CompressionNames.Parse(narInfo.Compression), leaveOpen: false);
            var (hash, length) = await NixHasher.HashStreamAsync(nar, HashKind.Sha256);
            if (!hash.Equals(narInfo.NarHash) || length != narInfo.NarSize)
            {
                violations.Add($"{cache}: the NAR of {narInfo.StorePath} has {hash.ToNix32String()} ({length} bytes), its narinfo says {narInfo.NarHash.ToNix32String()} ({narInfo.NarSize})");
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or CompressionException)
        {
            violations.Add($"{cache}: the NAR of {narInfo.StorePath} could not be read whole: {e.Message}");
        }
    }
}
