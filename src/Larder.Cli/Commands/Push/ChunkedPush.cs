using System.Collections.Concurrent;
using System.Net;
using Larder.Cli.Client;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// The chunk-level half of one push. NARs larger than one chunk are cut locally with the server's parameters and read
/// twice, so that no NAR is ever held in memory: <see cref="PlanAsync"/> reads every such NAR once keeping only chunk
/// hashes and lengths (hashing chunks on other cores), then asks the server which chunks it lacks (one request per
/// batch of hashes for all paths); <see cref="PushAsync"/> reads a NAR again up to its last missing chunk, uploads the
/// missing chunks (zstd, gathered into pack uploads of the server's pack size when it takes them, else one request per
/// chunk; in parallel) as they come, checks that the second read cut the chunks of the first (and that
/// each chunk sent has its planned hash), and commits the path as its chunk list. A chunk already on
/// the server, or already sent for another path of this push, is not sent again; so a push that was interrupted sends
/// only what the server still lacks when it is run again.
/// </summary>
internal sealed class ChunkedPush
{
    private readonly LarderClient _client;
    private readonly string _cache;
    private readonly ChunkingParameters _parameters;
    private readonly FastCdcChunker _chunker;
    private readonly int _jobs;
    private readonly IPushProgress _progress;
    private readonly SemaphoreSlim _uploadSlots;
    private readonly ChunkClaims _claims = new();
    private readonly ChunkPacker? _packer;
    private readonly ConcurrentDictionary<string, NarChunks> _planned = new(StringComparer.Ordinal);
    private IReadOnlySet<NixHash> _missing = new HashSet<NixHash>();
    private long _sentBytes;
    private long _deduplicatedBytes;

    /// <param name="jobs">Chunk uploads in flight at once (each holds one chunk in memory).</param>
    public ChunkedPush(LarderClient client, string cache, ChunkingParameters parameters, int jobs, IPushProgress progress)
    {
        _client = client;
        _cache = cache;
        _parameters = parameters;
        _chunker = new FastCdcChunker(ToOptions(parameters, cache));
        _jobs = Math.Max(1, jobs);
        _progress = progress;
        _uploadSlots = new SemaphoreSlim(_jobs);
        if (parameters.PackSize > 0)
        {
            _packer = new ChunkPacker(client, cache, parameters.PackSize, _jobs, Sent);
        }
    }

    /// <summary>NAR bytes of chunks uploaded (before compression).</summary>
    public long SentBytes => Interlocked.Read(ref _sentBytes);

    /// <summary>NAR bytes of chunks not uploaded because the server held them or this push had sent them already.</summary>
    public long DeduplicatedBytes => Interlocked.Read(ref _deduplicatedBytes);

    /// <summary>
    /// Whether a NAR of <paramref name="narSize"/> bytes is worth chunking: anything up to MinSize (or the single-chunk
    /// threshold) is one chunk, which the whole-NAR upload sends in one request.
    /// </summary>
    public static bool IsWorthChunking(ChunkingParameters parameters, long narSize) =>
        narSize > Math.Max(parameters.MinSize, parameters.SingleChunkThreshold);

    /// <summary>Whether <see cref="PlanAsync"/> planned <paramref name="info"/> for a chunked upload.</summary>
    public bool Handles(LocalPathInfo info) => _planned.ContainsKey(info.Path);

    /// <summary>
    /// Cuts the NARs of <paramref name="paths"/> worth chunking (<see cref="IsWorthChunking"/>) into chunks, keeping
    /// only hashes and lengths, and learns which of those chunks the server lacks. A path whose NAR cannot be read or
    /// does not match its NarHash is left to the whole-NAR upload, which fails it with the reason.
    /// </summary>
    public async Task PlanAsync(IReadOnlyList<LocalPathInfo> paths, CancellationToken cancellationToken)
    {
        var candidates = paths.Where(p => IsWorthChunking(_parameters, p.NarSize)).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = _jobs, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(candidates, options, async (info, token) =>
        {
            var chunks = await TryListChunksAsync(info, token).ConfigureAwait(false);
            if (chunks is null)
            {
                return;
            }
            if (chunks.Chunks.Count > _parameters.MaxChunksPerRequest)
            {
                _progress.Note($"{info.Path} has {chunks.Chunks.Count} chunks, more than the server takes in one commit ({_parameters.MaxChunksPerRequest}): uploading it whole");
                return;
            }
            _planned[info.Path] = chunks;
        }).ConfigureAwait(false);

        var distinct = candidates
            .Where(Handles)
            .SelectMany(info => _planned[info.Path].Chunks.Select(c => c.Hash))
            .Distinct()
            .ToList();
        _missing = await _client.FindMissingChunksAsync(_cache, distinct, _parameters.MaxChunksPerRequest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads the chunks of <paramref name="info"/>'s NAR that the server lacks and commits the path (planned by
    /// <see cref="PlanAsync"/>). When the commit is refused because the server no longer holds some chunks (collected
    /// meanwhile), those are sent once more and the commit retried once.
    /// </summary>
    public async Task<PushResult> PushAsync(LocalPathInfo info, PushPathMetadata metadata, CancellationToken cancellationToken)
    {
        var planned = _planned[info.Path];
        await SendChunksAsync(info, planned, _missing, _claims, countSkipped: true, cancellationToken).ConfigureAwait(false);
        var request = new ChunkedPathRequest(metadata, [.. planned.Chunks.Select(c => c.Hash.ToNix32String())]);
        try
        {
            return await _client.CommitChunkedPathAsync(_cache, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException refused) when (refused.Status == HttpStatusCode.BadRequest)
        {
            var distinct = planned.Chunks.Select(c => c.Hash).Distinct().ToList();
            var lost = await _client.FindMissingChunksAsync(_cache, distinct, _parameters.MaxChunksPerRequest, cancellationToken).ConfigureAwait(false);
            if (lost.Count == 0)
            {
                throw Translate(refused, info);
            }
            _progress.Note($"cache '{_cache}' no longer holds {Counted.Of(lost.Count, "chunk", "chunks")} of {info.Path}: sending them again");
            await SendChunksAsync(info, planned, lost, new ChunkClaims(), countSkipped: false, cancellationToken).ConfigureAwait(false);
            try
            {
                return await _client.CommitChunkedPathAsync(_cache, request, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException again)
            {
                throw Translate(again, info);
            }
        }
    }

    private CliException Translate(ApiException e, LocalPathInfo info) =>
        _client.Translate(e, LarderClient.PushOperation(_cache, info.Path))!;

    private async Task<NarChunks?> TryListChunksAsync(LocalPathInfo info, CancellationToken cancellationToken)
    {
        try
        {
            var chunks = await NarChunks.ListAsync(info.Path, _chunker, Environment.ProcessorCount, cancellationToken).ConfigureAwait(false);
            return chunks.NarSize == info.NarSize && chunks.NarHash.Equals(NixHash.Parse(info.NarHash)) ? chunks : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // The second read: sends the chunks in toSend that no other upload of this push has claimed, then waits for all
    // uploads this path needs. Only cut points are compared with the first read on this thread; a chunk to send is
    // hashed by its upload and must have its planned hash, and a chunk not sent is not hashed at all (the server
    // re-derives the NarHash at commit). Reading stops after the last chunk to send. countSkipped is false when
    // repairing a refused commit, whose skipped chunks were counted the first time.
    private async Task SendChunksAsync(
        LocalPathInfo info, NarChunks planned, IReadOnlySet<NixHash> toSend, ChunkClaims claims, bool countSkipped,
        CancellationToken cancellationToken)
    {
        var needed = new List<Task>();
        // Chunks of this path handed to the packer: each completes once its chunk is in a pack (or failed to get there).
        var packing = new List<Task>();
        var index = 0;
        var last = LastIndexIn(planned.Chunks, toSend);
        using var readEnough = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await using var sink = new ChunkingWriteStream(_chunker, async (chunk, token) =>
            {
                var handedOver = false;
                try
                {
                    if (index > last)
                    {
                        return;
                    }
                    if (index >= planned.Chunks.Count || planned.Chunks[index].Length != chunk.Length)
                    {
                        throw Changed(info, index);
                    }
                    var expected = planned.Chunks[index].Hash;
                    var position = index++;
                    if (toSend.Contains(expected))
                    {
                        await _uploadSlots.WaitAsync(token).ConfigureAwait(false);
                        Task upload;
                        bool started;
                        if (_packer is { } packer)
                        {
                            var packed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                            (upload, started) = claims.GetOrStart(expected, () => PackAsync(packer, info, position, expected, chunk, packed, cancellationToken));
                            if (started)
                            {
                                packing.Add(packed.Task);
                            }
                        }
                        else
                        {
                            (upload, started) = claims.GetOrStart(expected, () => UploadAsync(info, position, expected, chunk, cancellationToken));
                        }
                        needed.Add(upload);
                        handedOver = started;
                        if (!started)
                        {
                            _uploadSlots.Release();
                        }
                    }
                    if (!handedOver && countSkipped)
                    {
                        Deduplicated(planned.Chunks[position].Length);
                    }
                    if (index > last)
                    {
                        await readEnough.CancelAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (!handedOver)
                    {
                        chunk.Dispose();
                    }
                }
            });
            try
            {
                if (last >= 0)
                {
                    await NarWriter.WriteAsync(info.Path, sink, readEnough.Token).ConfigureAwait(false);
                    await sink.CompleteAsync(readEnough.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (index > last && !cancellationToken.IsCancellationRequested)
            {
            }
        }
        catch (Exception e)
        {
            // Uploads already started still hold chunk buffers: let them finish before giving up on the path.
            await FlushPacksAsync(packing, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(needed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (e is IOException)
            {
                throw new CliException($"cannot read {info.Path}: {e.Message}");
            }
            throw;
        }
        await FlushPacksAsync(packing, cancellationToken).ConfigureAwait(false);
        if (index != planned.Chunks.Count && index <= last)
        {
            await Task.WhenAll(needed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw Changed(info, index);
        }
        if (countSkipped)
        {
            // The chunks after the last one sent were not read: none of them is sent.
            for (var rest = index; rest < planned.Chunks.Count; rest++)
            {
                Deduplicated(planned.Chunks[rest].Length);
            }
        }
        await Task.WhenAll(needed).ConfigureAwait(false);
    }

    /// <summary>Index of the last chunk of <paramref name="chunks"/> in <paramref name="hashes"/>, or -1.</summary>
    private static int LastIndexIn(ChunkList chunks, IReadOnlySet<NixHash> hashes)
    {
        for (var i = chunks.Count - 1; i >= 0; i--)
        {
            if (hashes.Contains(chunks[i].Hash))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Once every chunk of <paramref name="packing"/> is in a pack, starts the upload of the last, partly filled pack.</summary>
    private async Task FlushPacksAsync(List<Task> packing, CancellationToken cancellationToken)
    {
        if (_packer is { } packer)
        {
            await Task.WhenAll(packing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await packer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Owns the chunk and one upload slot: releases both once the chunk is checked, compressed and in a pack (off the
    // reading thread), then waits for the pack's upload. Completes packed in any case, so the path can flush its last pack.
    private async Task PackAsync(
        ChunkPacker packer, LocalPathInfo info, int index, NixHash expected, Chunk chunk, TaskCompletionSource packed, CancellationToken cancellationToken)
    {
        Task upload;
        try
        {
            if (chunk.Hash != expected)
            {
                throw Changed(info, index);
            }
            upload = await packer.AddAsync(expected, chunk.Length, ChunkBody.Compress(chunk.Data.Span), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            chunk.Dispose();
            _uploadSlots.Release();
            packed.SetResult();
        }
        await upload.ConfigureAwait(false);
    }

    // Owns the chunk and one upload slot: releases both when done. Hashes the chunk here, off the reading thread.
    private async Task UploadAsync(LocalPathInfo info, int index, NixHash expected, Chunk chunk, CancellationToken cancellationToken)
    {
        try
        {
            if (chunk.Hash != expected)
            {
                throw Changed(info, index);
            }
            var body = ChunkBody.Compress(chunk.Data.Span);
            await _client.UploadChunkAsync(_cache, expected, body, cancellationToken).ConfigureAwait(false);
            Sent(chunk.Length);
        }
        finally
        {
            chunk.Dispose();
            _uploadSlots.Release();
        }
    }

    private void Sent(long length)
    {
        Interlocked.Add(ref _sentBytes, length);
        _progress.BytesSent(length);
    }

    private void Deduplicated(int length)
    {
        Interlocked.Add(ref _deduplicatedBytes, length);
        _progress.BytesDeduplicated(length);
    }

    private static CliException Changed(LocalPathInfo info, int index) => new(
        $"{info.Path} changed while it was pushed: reading it again gave different chunks from chunk {index} on than the first read; nothing was committed",
        $"store paths never change: check what writes into the store (`nix-store --verify-path {info.Path}`), then push again");

    private static ChunkingOptions ToOptions(ChunkingParameters parameters, string cache)
    {
        var options = new ChunkingOptions
        {
            MinSize = parameters.MinSize,
            AverageSize = parameters.AverageSize,
            MaxSize = parameters.MaxSize,
            SingleChunkThreshold = parameters.SingleChunkThreshold,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException($"cache '{cache}' announced chunk settings this client cannot use: {e.Message}", "push with --no-chunks");
        }
        if (parameters.MaxChunksPerRequest < 1)
        {
            throw new CliException($"cache '{cache}' announced MaxChunksPerRequest {parameters.MaxChunksPerRequest}; it must be positive", "push with --no-chunks");
        }
        return options;
    }
}
