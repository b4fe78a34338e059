using System.Text.Json;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.LocalStore;
using Larder.Nix.Chunking;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// Chunk-level push with the real <c>larder</c> CLI, a real server and the real Nix: a new version of a large path
/// sends only its new chunks, both versions substitute intact, an interrupted push resumes, and a server without
/// chunking gets whole NARs.
/// </summary>
public sealed class ChunkedPushEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private const int VersionSize = 20 << 20;

    [Theory]
    [InlineData("nix copy")]
    [InlineData("larder push")]
    public async Task Second_version_sends_a_small_fraction_of_its_NAR_and_both_versions_substitute_intact(string firstPush)
    {
        var cache = await fixture.CreateCacheAsync("chunks");
        var (v1, v2) = await BuildVersionsAsync();
        if (firstPush == "nix copy")
        {
            var netrc = fixture.Nix.WriteNetrc("127.0.0.1", fixture.Server.AdminToken);
            (await NixPeer.TryRunNixAsync(fixture.Nix.EnvironmentWith($"netrc-file = {netrc}"),
                "nix", "copy", "--to", $"{fixture.Server.BaseUrl}/{cache}?compression=zstd", v1.Path)).EnsureSuccess();
        }
        else
        {
            (await fixture.RunAsync("push", cache, v1.Path)).EnsureSuccess();
        }

        var push = await fixture.RunAsync("push", cache, v2.Path, "--json");

        Assert.True(push.ExitCode == 0, push.Stderr);
        using var summary = JsonDocument.Parse(push.Stdout);
        var sent = summary.RootElement.GetProperty("sentBytes").GetInt64();
        var deduplicated = summary.RootElement.GetProperty("deduplicatedBytes").GetInt64();
        Assert.Equal(v2.NarSize, sent + deduplicated);
        var v1Chunks = (await ChunksOfAsync(cache, v1)).DistinctBy(c => c.Hash).ToList();
        var v1Hashes = v1Chunks.Select(c => c.Hash).ToHashSet();
        var newInV2 = (await ChunksOfAsync(cache, v2)).DistinctBy(c => c.Hash).Where(c => !v1Hashes.Contains(c.Hash)).Sum(c => (long)c.Length);
        Assert.Equal(newInV2, sent);
        Assert.True(sent < v2.NarSize / 2, $"sent {sent} of {v2.NarSize} NAR bytes");
        var (entries, distinct, distinctBytes) = StoredChunksOf(v1, v2);
        Assert.True(distinct < entries, $"{distinct} distinct chunks for {entries} entries: shared chunks are not stored once");
        Assert.Equal(v1Chunks.Sum(c => (long)c.Length) + newInV2, distinctBytes);
        await AssertSubstitutesIntactAsync(cache, v1, v2);
    }

    [Fact]
    public async Task Push_after_an_interrupted_one_sends_only_the_chunks_the_server_still_lacks()
    {
        var cache = await fixture.CreateCacheAsync("resume");
        var (v1, _) = await BuildVersionsAsync();
        using var client = NewClient();
        var chunker = await ChunkerOfAsync(client, cache);
        // What an interrupted push leaves behind: the first half of the chunks uploaded, nothing committed.
        long uploaded = 0;
        await NarChunks.FromPathAsync(v1.Path, chunker, async (chunk, ct) =>
        {
            using (chunk)
            {
                if (chunk.Offset < v1.NarSize / 2)
                {
                    await client.UploadChunkAsync(cache, chunk.Hash, ChunkBody.Compress(chunk.Data.Span), ct);
                    uploaded += chunk.Length;
                }
            }
        });
        Assert.Null(await client.GetNarInfoAsync(cache, v1.HashPart, CancellationToken.None));

        var push = await fixture.RunAsync("push", cache, v1.Path, "--json");

        Assert.True(push.ExitCode == 0, push.Stderr);
        using var summary = JsonDocument.Parse(push.Stdout);
        Assert.Equal(v1.NarSize - uploaded, summary.RootElement.GetProperty("sentBytes").GetInt64());
        Assert.Equal(uploaded, summary.RootElement.GetProperty("deduplicatedBytes").GetInt64());
        await AssertSubstitutesIntactAsync(cache, v1);
    }

    [Fact]
    public async Task Push_to_a_server_without_chunking_uploads_whole_NARs()
    {
        var cache = await fixture.CreateCacheAsync("old");
        var (v1, _) = await BuildVersionsAsync();
        await using var proxy = await OldProtocolProxy.StartAsync(fixture.Server.BaseUrl);

        var push = await fixture.RunWithAsync(
            new Dictionary<string, string> { ["LARDER_SERVER"] = proxy.BaseUrl, ["LARDER_TOKEN"] = fixture.Server.AdminToken }, null,
            "push", cache, v1.Path, "--json");

        Assert.True(push.ExitCode == 0, push.Stderr);
        using var summary = JsonDocument.Parse(push.Stdout);
        Assert.Equal(v1.NarSize, summary.RootElement.GetProperty("sentBytes").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("deduplicatedBytes").GetInt64());
        Assert.Equal(1, proxy.RefusedChunkRequests);
        await AssertSubstitutesIntactAsync(cache, v1);
    }

    [Fact]
    public async Task No_chunks_uploads_the_whole_NAR_even_when_the_server_holds_its_chunks()
    {
        var cache = await fixture.CreateCacheAsync("nochunks");
        var other = await fixture.CreateCacheAsync("nochunks-other");
        var (v1, _) = await BuildVersionsAsync();
        (await fixture.RunAsync("push", other, v1.Path)).EnsureSuccess();

        var push = await fixture.RunAsync("push", cache, v1.Path, "--no-chunks", "--json");

        Assert.True(push.ExitCode == 0, push.Stderr);
        using var summary = JsonDocument.Parse(push.Stdout);
        Assert.Equal(v1.NarSize, summary.RootElement.GetProperty("sentBytes").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("deduplicatedBytes").GetInt64());
    }

    [Fact]
    public async Task A_path_pushed_to_a_second_cache_sends_nothing_since_chunks_are_shared_across_caches()
    {
        var first = await fixture.CreateCacheAsync("shared-a");
        var second = await fixture.CreateCacheAsync("shared-b");
        var (v1, _) = await BuildVersionsAsync();
        (await fixture.RunAsync("push", first, v1.Path)).EnsureSuccess();

        var push = await fixture.RunAsync("push", second, v1.Path);

        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains("sent 0 B", push.Stdout);
        await AssertSubstitutesIntactAsync(second, v1);
    }

    private async Task<(LocalPathInfo V1, LocalPathInfo V2)> BuildVersionsAsync()
    {
        // bench/chunking/versions.nix: each version inserts 4 KiB and overwrites 1% of the one before in 4 places.
        var expression = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "versions.nix");
        var built = await fixture.Nix.RunNixAsync("nix-build", expression, "--no-out-link", "-A", "v1", "-A", "v2",
            "--argstr", "salt", Guid.NewGuid().ToString("N"), "--arg", "size", VersionSize.ToString(), "--arg", "count", "2");
        var paths = built.Stdout.Trim().Split('\n');
        var infos = await new LocalStoreReader().QueryAsync(paths, closure: false, CancellationToken.None);
        return (infos.Single(i => i.Path.EndsWith("-chunking-version-1", StringComparison.Ordinal)),
            infos.Single(i => i.Path.EndsWith("-chunking-version-2", StringComparison.Ordinal)));
    }

    private LarderClient NewClient() =>
        new(new ServerTarget("local", new Uri(fixture.Server.BaseUrl + "/"), fixture.Server.AdminToken));

    /// <summary>A chunker with the sizes the server announces for <paramref name="cache"/>.</summary>
    private static async Task<FastCdcChunker> ChunkerOfAsync(LarderClient client, string cache)
    {
        var parameters = (await client.GetChunkingAsync(cache, CancellationToken.None))!;
        return new FastCdcChunker(new ChunkingOptions
        {
            MinSize = parameters.MinSize, AverageSize = parameters.AverageSize, MaxSize = parameters.MaxSize,
            SingleChunkThreshold = parameters.SingleChunkThreshold,
        });
    }

    private async Task<ChunkList> ChunksOfAsync(string cache, LocalPathInfo path)
    {
        using var client = NewClient();
        var chunker = await ChunkerOfAsync(client, cache);
        return (await NarChunks.FromPathAsync(path.Path, chunker, (chunk, _) =>
        {
            chunk.Dispose();
            return ValueTask.CompletedTask;
        })).Chunks;
    }

    /// <summary>Chunk entries of the NARs of <paramref name="paths"/> in the server's database, distinct chunks, and their bytes.</summary>
    private (long Entries, long Distinct, long DistinctBytes) StoredChunksOf(params LocalPathInfo[] paths)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Server.DataDirectory, "larder.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*), COUNT(DISTINCT c.id), (SELECT COALESCE(SUM(size), 0) FROM chunks WHERE id IN (
                SELECT n2.chunk_id FROM nar_chunks n2 JOIN nars a2 ON a2.id = n2.nar_id WHERE a2.nar_hash IN ($h1, $h2)))
            FROM nar_chunks n JOIN nars a ON a.id = n.nar_id JOIN chunks c ON c.id = n.chunk_id
            WHERE a.nar_hash IN ($h1, $h2)
            """;
        command.Parameters.AddWithValue("$h1", paths[0].NarHash);
        command.Parameters.AddWithValue("$h2", paths[^1].NarHash);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Substitutes each path into a fresh store with <c>nix copy --from</c> and compares its file with the original.</summary>
    private async Task AssertSubstitutesIntactAsync(string cache, params LocalPathInfo[] paths)
    {
        var nixConf = fixture.NewNixConf();
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        using var store = new TempDirectory("larder-chunked-store");
        foreach (var path in paths)
        {
            var copy = await NixPeer.TryRunNixAsync(fixture.NixEnvironmentFor(nixConf),
                "nix", "copy", "--from", $"{fixture.Server.BaseUrl}/{cache}", "--to", store.Path, path.Path);
            Assert.True(copy.ExitCode == 0, $"nix copy --from failed:\n{copy.Stderr}");
            var restored = Path.Combine(store.Path, path.Path.TrimStart('/'), "blob");
            Assert.True(File.ReadAllBytes(restored).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(path.Path, "blob"))),
                $"{path.Path} substituted from cache '{cache}' differs from the original");
        }
    }
}
