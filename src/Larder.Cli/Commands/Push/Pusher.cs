using System.Diagnostics;
using System.Runtime;
using Larder.Cli.Client;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;
using Larder.Contracts.Push;
using Larder.Contracts.Tokens;
using Larder.Server.Access;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// Pushes store paths to a cache: reads the closure's metadata from the local store in one call, drops what upstream
/// keys signed, asks the server in batches what it lacks, then uploads only that, <see cref="PushOptions.Jobs"/> at a
/// time, each path only after all of its references are in the cache. Large NARs go up as the chunks the server
/// lacks (<see cref="ChunkedPush"/>) when the server supports chunking; the others, and all NARs for a server without
/// chunking or with <see cref="PushOptions.Chunks"/> off, go up whole.
/// </summary>
public sealed class Pusher(LarderClient client, LocalStoreReader store, IPushProgress progress)
{
    private long _wholeNarBytes;

    /// <summary>Pushes <paramref name="storePaths"/> (top-level store paths) to <paramref name="cache"/>.</summary>
    public async Task<PushSummary> PushAsync(
        string cache, IReadOnlyCollection<string> storePaths, PushOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The server round trip and the local store query are independent: overlap them.
        var cacheTask = client.GetCacheAsync(cache, cancellationToken);
        var whoTask = client.Server.Token is null ? null : client.WhoAmIAsync(cancellationToken);
        IReadOnlyList<LocalPathInfo> infos;
        try
        {
            infos = await CollectAsync(storePaths, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // An unreachable server or unknown cache is the more useful error; otherwise report the local one.
            await cacheTask.ConfigureAwait(false);
            throw;
        }
        Trace(clock, $"local metadata of {infos.Count} paths");
        var cacheInfo = await cacheTask.ConfigureAwait(false);
        Trace(clock, "cache info");
        if (cacheInfo.StoreDir != StorePaths.StoreDir)
        {
            throw new CliException($"cache '{cache}' holds paths of store directory {cacheInfo.StoreDir}, but the local store is {StorePaths.StoreDir}");
        }

        var upstream = options.IgnoreUpstreamFilter ? [] : new HashSet<string>(cacheInfo.UpstreamKeyNames, StringComparer.Ordinal);
        var candidates = new List<LocalPathInfo>(infos.Count);
        // Paths skipped because an upstream key signed them: a pushed path names those of its references to the server.
        var upstreamPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in infos)
        {
            if (upstream.Count > 0 && info.Signatures.Any(s => upstream.Contains(KeyName(s))))
            {
                upstreamPaths.Add(info.Path);
            }
            else
            {
                candidates.Add(info);
            }
        }
        var missing = await client.FindMissingAsync(cache, candidates.ConvertAll(c => c.HashPart), cancellationToken).ConfigureAwait(false);
        var toPush = candidates.Where(c => missing.Contains(c.HashPart)).ToList();
        Trace(clock, $"missing query: {toPush.Count} of {candidates.Count} missing");
        if (upstreamPaths.Count > 0)
        {
            progress.Note($"skipping {Counted.Paths(upstreamPaths.Count)} signed by upstream keys ({string.Join(", ", upstream)}); --ignore-upstream-filter pushes them");
        }
        if (toPush.Count == 0)
        {
            return new PushSummary(infos.Count, candidates.Count, upstreamPaths.Count, 0, 0, 0, 0, [], clock.Elapsed);
        }
        await RequireWriteAsync(cache, whoTask).ConfigureAwait(false);
        progress.Begin(toPush.Count, toPush.Sum(p => p.NarSize));
        var chunked = await PlanChunksAsync(cache, toPush, options, cancellationToken).ConfigureAwait(false);
        Trace(clock, chunked is null ? "no chunking" : "chunked NARs read, missing chunks sent");
        var run = new PushRun(toPush, options.Jobs, (info, ct) => UploadAsync(cache, info, upstreamPaths, options, chunked, ct), progress);
        var (pushed, pushedBytes, failed) = await run.RunAsync(cancellationToken).ConfigureAwait(false);
        chunked?.AbandonUnfinished();
        Trace(clock, "uploads");
        return new PushSummary(infos.Count, candidates.Count - toPush.Count, upstreamPaths.Count, pushed, pushedBytes,
            Interlocked.Read(ref _wholeNarBytes) + (chunked?.SentBytes ?? 0), chunked?.DeduplicatedBytes ?? 0, failed, clock.Elapsed);
    }

    /// <summary>
    /// With chunks allowed and a server that supports them, cuts the large NARs and sends the chunks the server lacks
    /// (committed later, in reference order); null when every path goes up whole.
    /// </summary>
    private async Task<ChunkedPush?> PlanChunksAsync(
        string cache, IReadOnlyList<LocalPathInfo> toPush, PushOptions options, CancellationToken cancellationToken)
    {
        if (!options.Chunks)
        {
            return null;
        }
        var parameters = await client.GetChunkingAsync(cache, cancellationToken).ConfigureAwait(false);
        if (parameters is null || !toPush.Any(p => ChunkedPush.IsWorthChunking(parameters, p.NarSize)))
        {
            return null;
        }
        var chunked = new ChunkedPush(client, cache, parameters, options.Jobs, progress);
        await chunked.PlanAsync(toPush, cancellationToken).ConfigureAwait(false);
        return chunked;
    }

    /// <summary>Fails once, before any upload, when the token cannot write to the cache (rather than once per path).</summary>
    private async Task RequireWriteAsync(string cache, Task<WhoAmIDto>? whoTask)
    {
        if (whoTask is null)
        {
            throw new CliException($"push to cache '{cache}': pushing needs a token with write permission", client.Server.LoginHint());
        }
        var who = await whoTask.ConfigureAwait(false);
        if (!who.Grants.Any(g => Grants.Matches(g.Cache, cache) && g.Permissions.Any(p => p is "write" or "admin")))
        {
            throw new CliException(
                $"push to cache '{cache}': the token lacks write permission on cache '{cache}' (token {who.Id}, '{who.Description}')",
                $"ask an admin for a token that can write: larder token create --permission read,write --cache {cache}");
        }
    }

    private async Task<IReadOnlyList<LocalPathInfo>> CollectAsync(
        IReadOnlyCollection<string> storePaths, PushOptions options, CancellationToken cancellationToken)
    {
        var infos = await store.QueryAsync(storePaths, options.Closure, cancellationToken).ConfigureAwait(false);
        if (!options.IncludeBuildDeps)
        {
            return infos;
        }
        var roots = new HashSet<string>(storePaths, StringComparer.Ordinal);
        var derivers = infos
            .Where(i => roots.Contains(i.Path) && i.Deriver is not null && File.Exists(i.Deriver))
            .Select(i => i.Deriver!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var buildClosure = await store.QueryBuildClosureAsync(derivers, cancellationToken).ConfigureAwait(false);
        var extra = await store.QueryAsync(buildClosure, closure: true, cancellationToken).ConfigureAwait(false);
        var merged = new Dictionary<string, LocalPathInfo>(StringComparer.Ordinal);
        foreach (var info in infos.Concat(extra))
        {
            merged.TryAdd(info.Path, info);
        }
        return [.. merged.Values];
    }

    private async Task UploadAsync(
        string cache, LocalPathInfo info, IReadOnlySet<string> upstreamPaths, PushOptions options, ChunkedPush? chunked,
        CancellationToken cancellationToken)
    {
        var metadata = new PushPathMetadata(
            info.Path,
            info.NarHash,
            info.NarSize,
            [.. info.References.Select(StorePaths.BaseNameOf).Order(StringComparer.Ordinal)],
            info.Deriver is null ? null : StorePaths.BaseNameOf(info.Deriver),
            info.Signatures,
            info.Ca,
            [.. info.References.Where(upstreamPaths.Contains).Select(StorePaths.BaseNameOf).Order(StringComparer.Ordinal)]);
        progress.PathStarted(info.Path, info.NarSize);
        if (chunked is not null && chunked.Handles(info))
        {
            await chunked.PushAsync(info, metadata, cancellationToken).ConfigureAwait(false);
            progress.PathDone(info.Path);
            return;
        }
        var headerTooLong = LarderClient.EncodePathInfo(metadata).Length > PushProtocol.MaxPathInfoHeaderLength;
        if (info.NarSize > options.PartSize || headerTooLong)
        {
            await ResumableUpload.RunAsync(client, cache, metadata, info, options.Compression, options.PartSize, progress.BytesSent, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            await client.UploadAsync(cache, metadata, options.Compression,
                () => new NarUploadContent(info, options.Compression, progress.BytesSent), cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Add(ref _wholeNarBytes, info.NarSize);
        progress.PathDone(info.Path);
    }

    private static readonly bool Tracing = Environment.GetEnvironmentVariable("LARDER_TRACE") == "1";

    /// <summary>With <c>LARDER_TRACE=1</c>, prints how long each phase took (for diagnosing slow pushes).</summary>
    private void Trace(Stopwatch clock, string phase)
    {
        if (Tracing)
        {
            progress.Note($"[{clock.Elapsed.TotalSeconds:0.000}s] {phase} (JIT so far: {JitInfo.GetCompiledMethodCount()} methods, " +
                $"{JitInfo.GetCompilationTime().TotalSeconds:0.000}s; GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, " +
                $"{GC.GetTotalAllocatedBytes() >> 20} MiB allocated)");
        }
    }

    private static string KeyName(string signature)
    {
        var colon = signature.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? signature : signature[..colon];
    }
}
