using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Larder.Nix.Hashing;

namespace Larder.Bench.Scale;

/// <summary>
/// Push throughput through Nix's own upload protocol: for each synthetic path, <c>PUT nar/&lt;hash&gt;.nar</c> (no
/// compression, so the server's work is parse + hash + zstd + store) then <c>PUT &lt;hash&gt;.narinfo</c>, with a
/// number of uploads in flight. Writes the narinfo request paths to a file for the narinfo load test.
/// </summary>
internal static class PushBench
{
    public static async Task<int> RunAsync(string baseUrl, string token, string cache, int count, int bytes, int concurrency, string pathsOut)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var create = await http.PostAsync("/api/v1/caches", new StringContent(
            $$"""{"name":"{{cache}}","public":true}""", System.Text.Encoding.UTF8, "application/json")))
        {
            if (!create.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"creating cache {cache}: {(int)create.StatusCode} {await create.Content.ReadAsStringAsync()}");
            }
        }
        var salt = Guid.NewGuid().ToString("N");
        var narInfoPaths = new string[count];
        long narBytes = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var contents = new byte[bytes];
            new Random(HashCode.Combine(salt, i)).NextBytes(contents);
            var nar = Synthetic.Nar(contents);
            var hash = NixHash.Compute(HashKind.Sha256, nar);
            var hashPart = Synthetic.HashPart(i, salt);
            var narUrl = $"nar/{hash.ToBase32()}.nar";
            using (var put = await http.PutAsync($"/{cache}/{narUrl}", new ByteArrayContent(nar), ct))
            {
                await EnsureAsync(put, narUrl);
            }
            var narInfo = string.Create(CultureInfo.InvariantCulture, $"""
                StorePath: /nix/store/{hashPart}-bench-{i}
                URL: {narUrl}
                Compression: none
                FileHash: {hash.ToNix32String()}
                FileSize: {nar.Length}
                NarHash: {hash.ToNix32String()}
                NarSize: {nar.Length}
                References: 

                """);
            using (var put = await http.PutAsync($"/{cache}/{hashPart}.narinfo", new StringContent(narInfo), ct))
            {
                await EnsureAsync(put, hashPart + ".narinfo");
            }
            narInfoPaths[i] = $"/{cache}/{hashPart}.narinfo";
            Interlocked.Add(ref narBytes, nar.Length);
        });
        clock.Stop();
        await File.WriteAllLinesAsync(pathsOut, narInfoPaths);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT push paths={count} bytes_each={bytes} seconds={seconds:F2} paths_per_s={count / seconds:F1} mib_per_s={narBytes / seconds / 1048576:F1}"));
        return 0;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
