using System.Buffers;
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
/// once (<see cref="PlanAsync"/>): the chunks are hashed on other cores as they are cut, and for every window of
/// <see cref="WindowBytes"/> (or <see cref="WindowChunks"/>) the server is asked which chunks it lacks (while the next
/// window is read), so that
/// only those are kept, compressed (zstd) and uploaded, gathered into pack uploads of the server's pack size when it
/// takes them, else one request per chunk; in parallel. No NAR is ever held in memory: at most two windows are, for
/// each of as many NARs read at once as there are cores (at most <c>jobs</c>). The
/// client does not hash the whole NAR: the server re-derives the NarHash from the chunks at the commit and refuses a
/// path that does not match what Nix recorded. <see cref="PushAsync"/> waits for the uploads a path needs and commits
/// it as its chunk list. A chunk already on the server, or already sent for another path of this push, is not sent
/// again; so a push that was interrupted sends only what the server still lacks when it is run again.
/// </summary>
internal sealed partial class ChunkedPush
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
    // Streamed commits open at once (null: the server takes only the whole chunk list); each holds a connection and
    // the server's derivation, so later paths commit the whole list at the end instead.
    private readonly SemaphoreSlim? _streams;
    // NARs read at once: reading is bound by the CPU, so more readers than cores would only hold more windows.
    private readonly int _readers;
    // Chunk buffers (MaxSize each) are reused rather than left to the garbage collector, which collects large arrays
    // only in full collections: room for two windows per NAR read at once, and the chunks waiting for an upload slot.
    private readonly ArrayPool<byte> _buffers;
    private readonly ConcurrentDictionary<string, PlannedPath> _planned = new(StringComparer.Ordinal);
    private long _sentBytes;
    private long _deduplicatedBytes;

    /// <summary>
    /// Chunk bytes read before the server is asked which of them it lacks (one request per window), unless
    /// <see cref="WindowChunks"/> come first. At most two windows per NAR being read are in memory.
    /// </summary>
    internal const int WindowBytes = 4 << 20;

    /// <summary>The most chunks in one window: each holds a buffer of MaxSize.</summary>
    internal const int WindowChunks = 16;

    /// <summary>Most streamed commits open at once (<see cref="StreamedCommit"/>).</summary>
    internal const int MaxOpenCommits = 8;

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
        _readers = Math.Min(_jobs, Environment.ProcessorCount);
        _buffers = ArrayPool<byte>.Create(parameters.MaxSize, maxArraysPerBucket: _readers * (2 * WindowChunks + 1) + _jobs);
        if (parameters.PackSize > 0)
        {
            _packer = new ChunkPacker(client, cache, parameters.PackSize, _jobs, Sent);
        }
        if (parameters.StreamedCommit)
        {
            _streams = new SemaphoreSlim(MaxOpenCommits);
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
    /// Reads the NARs of <paramref name="paths"/> worth chunking (<see cref="IsWorthChunking"/>) once each, cutting
    /// them into chunks and uploading those the server lacks; keeps each path's chunk list for <see cref="PushAsync"/>.
    /// A path whose NAR cannot be read, has another size than Nix recorded or more chunks than one commit takes is left
    /// to the whole-NAR upload (which fails it with the reason, or sends it whole); chunks it sent meanwhile stay
    /// unreferenced until maintenance removes them.
    /// </summary>
    public async Task PlanAsync(IReadOnlyList<LocalPathInfo> paths, CancellationToken cancellationToken)
    {
        var candidates = paths.Where(p => IsWorthChunking(_parameters, p.NarSize)).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = _readers, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(candidates, options, async (info, token) =>
        {
            if (await ReadAndSendAsync(info, token).ConfigureAwait(false) is { } planned)
            {
                _planned[info.Path] = planned;
            }
        }).ConfigureAwait(false);
        if (_packer is { } packer)
        {
            await packer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for the uploads of the chunks of <paramref name="info"/>'s NAR that the server lacked (started by
    /// <see cref="PlanAsync"/>) and commits the path. When the commit is refused because the server no longer holds
    /// some chunks (collected meanwhile), the NAR is read again, those are sent once more and the commit retried once.
    /// </summary>
    public async Task<PushResult> PushAsync(LocalPathInfo info, PushPathMetadata metadata, CancellationToken cancellationToken)
    {
        var planned = _planned[info.Path];
        var request = new ChunkedPathRequest(metadata, [.. planned.Chunks.Select(c => c.Hash.ToNix32String())]);
        try
        {
            await Task.WhenAll(planned.Uploads).ConfigureAwait(false);
            if (planned.Commit is { } commit)
            {
                await planned.Announced.ConfigureAwait(false);
                if (await TryStreamedAsync(info, commit, metadata, cancellationToken).ConfigureAwait(false) is { } streamed)
                {
                    return streamed;
                }
            }
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
            await SendAgainAsync(info, planned.Chunks, lost, cancellationToken).ConfigureAwait(false);
            try
            {
                return await _client.CommitChunkedPathAsync(_cache, request, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException again)
            {
                throw Translate(again, info);
            }
        }
        finally
        {
            Close(planned);
        }
    }

    private CliException Translate(ApiException e, LocalPathInfo info) =>
        _client.Translate(e, LarderClient.PushOperation(_cache, info.Path))!;

    // The one read of a NAR: cuts it, hashes each window's chunks on other cores, asks the server which of them it
    // lacks while the next window is read, and hands those to uploads. Null when the path is left to the whole-NAR
    // upload.
    private async Task<PlannedPath?> ReadAndSendAsync(LocalPathInfo info, CancellationToken cancellationToken)
    {
        var pass = new NarPass(info, Open(info, cancellationToken));
        PlannedPath? planned = null;
        var window = new List<Chunk>();
        var windowBytes = 0L;
        var read = 0L;
        var count = 0;
        var previous = Task.CompletedTask;
        try
        {
            await using (var sink = new ChunkingWriteStream(_chunker, async (chunk, token) =>
            {
                window.Add(chunk);
                windowBytes += chunk.Length;
                read += chunk.Length;
                if (read > info.NarSize)
                {
                    throw new LeftWholeException();
                }
                if (++count > _parameters.MaxChunksPerRequest)
                {
                    _progress.Note($"{info.Path} has more chunks than the server takes in one commit ({_parameters.MaxChunksPerRequest}): uploading it whole");
                    throw new LeftWholeException();
                }
                if (windowBytes >= WindowBytes || window.Count >= Math.Min(WindowChunks, _parameters.MaxChunksPerRequest))
                {
                    await previous.ConfigureAwait(false);
                    (var full, window, windowBytes) = (window, [], 0);
                    previous = SendWindowAsync(pass, full, token);
                }
            }, _buffers))
            {
                await NarWriter.WriteAsync(info.Path, sink, cancellationToken).ConfigureAwait(false);
                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            await previous.ConfigureAwait(false);
            if (read != info.NarSize)
            {
                return null;
            }
            var last = window;
            window = [];
            await SendWindowAsync(pass, last, cancellationToken).ConfigureAwait(false);
            // Every chunk sent is in a pack now: PlanAsync starts the upload of the last, partly filled one.
            await Task.WhenAll(pass.Packing).ConfigureAwait(false);
            planned = new PlannedPath(new ChunkList(pass.Entries), pass.Uploads, pass.Commit, pass.Announced);
            return planned;
        }
        catch (Exception e) when (e is LeftWholeException or IOException)
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return null;
        }
        finally
        {
            foreach (var chunk in window)
            {
                chunk.Dispose();
            }
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (planned is null && pass.Commit is { } commit)
            {
                Abandon(commit);
            }
        }
    }

    // Owns the chunks: hashes them, asks the server which it lacks, appends them to the pass's chunk list and hands
    // the missing ones to uploads. Windows of one pass run one after the other, so they append in order.
    private async Task SendWindowAsync(NarPass pass, List<Chunk> chunks, CancellationToken cancellationToken)
    {
        var handedOver = new bool[chunks.Count];
        try
        {
            if (chunks.Count == 0)
            {
                return;
            }
            var hashes = new NixHash[chunks.Count];
            await Task.Run(() => Parallel.For(0, chunks.Count, new ParallelOptions { CancellationToken = cancellationToken },
                i => hashes[i] = chunks[i].Hash), cancellationToken).ConfigureAwait(false);
            var missing = await _client.FindMissingChunksAsync(_cache, [.. hashes.Distinct()], _parameters.MaxChunksPerRequest, cancellationToken)
                .ConfigureAwait(false);
            var (uploadsBefore, packingBefore) = (pass.Uploads.Count, pass.Packing.Count);
            for (var i = 0; i < chunks.Count; i++)
            {
                var position = pass.Entries.Count;
                pass.Entries.Add(new ChunkEntry(hashes[i], chunks[i].Length));
                if (missing.Contains(hashes[i]))
                {
                    handedOver[i] = await HandOverAsync(pass.Info, position, hashes[i], chunks[i], _claims, pass.Uploads, pass.Packing, cancellationToken)
                        .ConfigureAwait(false);
                }
                if (!handedOver[i])
                {
                    Deduplicated(chunks[i].Length);
                    chunks[i].Dispose();
                }
            }
            if (pass.Commit is { } commit)
            {
                var packing = pass.Packing[packingBefore..];
                // A window of mostly known chunks is an edit of a NAR the server holds: its few new chunks would wait
                // for a full pack and hold back the windows after them. A window of new chunks waits for its pack.
                var sendPackNow = packing.Count > 0 && packing.Count * 2 <= chunks.Count;
                pass.Announced = AnnounceAsync(
                    commit, pass.Announced, packing, sendPackNow, pass.Uploads[uploadsBefore..], hashes, cancellationToken);
            }
        }
        finally
        {
            for (var i = 0; i < chunks.Count; i++)
            {
                if (!handedOver[i])
                {
                    chunks[i].Dispose();
                }
            }
        }
    }

    // Hands a chunk to an upload (taking an upload slot) unless this push has already claimed its hash; the upload,
    // new or earlier, goes to uploads, and with packs a task completing once the chunk is in a pack goes to packing.
    // Returns whether the upload took the chunk; otherwise the caller still owns it.
    private async Task<bool> HandOverAsync(
        LocalPathInfo info, int index, NixHash hash, Chunk chunk, ChunkClaims claims, List<Task> uploads, List<Task> packing,
        CancellationToken cancellationToken)
    {
        await _uploadSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task upload;
        bool started;
        if (_packer is { } packer)
        {
            var packed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (upload, started) = claims.GetOrStart(hash, () => PackAsync(packer, info, index, hash, chunk, packed, cancellationToken));
            if (started)
            {
                packing.Add(packed.Task);
            }
        }
        else
        {
            (upload, started) = claims.GetOrStart(hash, () => UploadAsync(info, index, hash, chunk, cancellationToken));
        }
        uploads.Add(upload);
        if (!started)
        {
            _uploadSlots.Release();
        }
        return started;
    }

    // The second read, only to repair a refused commit: sends the chunks in toSend again. Only cut points are compared
    // with the first read on this thread; a chunk to send is hashed by its upload and must have its planned hash.
    // Reading stops after the last chunk to send.
    private async Task SendAgainAsync(LocalPathInfo info, ChunkList planned, IReadOnlySet<NixHash> toSend, CancellationToken cancellationToken)
    {
        var claims = new ChunkClaims();
        var uploads = new List<Task>();
        var packing = new List<Task>();
        var index = 0;
        var last = LastIndexIn(planned, toSend);
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
                    if (index >= planned.Count || planned[index].Length != chunk.Length)
                    {
                        throw Changed(info, index);
                    }
                    var position = index++;
                    if (toSend.Contains(planned[position].Hash))
                    {
                        handedOver = await HandOverAsync(info, position, planned[position].Hash, chunk, claims, uploads, packing, token).ConfigureAwait(false);
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
            }, _buffers);
            try
            {
                await NarWriter.WriteAsync(info.Path, sink, readEnough.Token).ConfigureAwait(false);
                await sink.CompleteAsync(readEnough.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (index > last && !cancellationToken.IsCancellationRequested)
            {
            }
        }
        catch (Exception e)
        {
            // Uploads already started still hold chunk buffers: let them finish before giving up on the path.
            await FlushPacksAsync(packing, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(uploads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (e is IOException)
            {
                throw new CliException($"cannot read {info.Path}: {e.Message}");
            }
            throw;
        }
        await FlushPacksAsync(packing, cancellationToken).ConfigureAwait(false);
        if (index <= last)
        {
            await Task.WhenAll(uploads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw Changed(info, index);
        }
        await Task.WhenAll(uploads).ConfigureAwait(false);
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

    /// <summary>
    /// A path read once: its chunk list, the uploads its commit waits for and, when streamed, its open commit (null
    /// once closed) and the task that announced its last window.
    /// </summary>
    private sealed class PlannedPath(ChunkList chunks, List<Task> uploads, StreamedCommit? commit, Task announced)
    {
        public ChunkList Chunks { get; } = chunks;

        public List<Task> Uploads { get; } = uploads;

        public Task Announced { get; } = announced;

        public StreamedCommit? Commit = commit;
    }

    /// <summary>What the one read of a path gathers, window by window.</summary>
    private sealed class NarPass(LocalPathInfo info, StreamedCommit? commit)
    {
        public LocalPathInfo Info { get; } = info;

        public StreamedCommit? Commit { get; } = commit;

        /// <summary>Completes once every window so far was announced to <see cref="Commit"/>.</summary>
        public Task Announced { get; set; } = Task.CompletedTask;

        public List<ChunkEntry> Entries { get; } = [];

        public List<Task> Uploads { get; } = [];

        public List<Task> Packing { get; } = [];
    }

    /// <summary>Thrown from the chunk callback to stop reading a NAR that goes up whole instead.</summary>
    private sealed class LeftWholeException : Exception;
}
