using System.Threading.Channels;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// Runs uploads with bounded parallelism in dependency order: a path becomes ready when every reference it has
/// among the paths to push has been pushed. When a path fails, everything that (transitively) refers to it fails too
/// without being attempted, since the server would refuse an incomplete closure.
/// </summary>
internal sealed class PushRun
{
    private readonly Lock _lock = new();
    private readonly Channel<LocalPathInfo> _ready = Channel.CreateUnbounded<LocalPathInfo>();
    private readonly Dictionary<string, int> _waitingOn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LocalPathInfo>> _dependents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly List<PushFailure> _failed = [];
    private readonly int _jobs;
    private readonly Func<LocalPathInfo, CancellationToken, Task> _upload;
    private readonly IPushProgress _progress;
    private int _remaining;
    private int _pushed;
    private long _pushedBytes;

    public PushRun(IReadOnlyList<LocalPathInfo> paths, int jobs, Func<LocalPathInfo, CancellationToken, Task> upload, IPushProgress progress)
    {
        _jobs = Math.Max(1, jobs);
        _upload = upload;
        _progress = progress;
        _remaining = paths.Count;
        var included = new HashSet<string>(paths.Select(p => p.Path), StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var dependencies = path.References.Where(r => r != path.Path && included.Contains(r)).Distinct(StringComparer.Ordinal).ToList();
            _waitingOn[path.Path] = dependencies.Count;
            foreach (var dependency in dependencies)
            {
                if (!_dependents.TryGetValue(dependency, out var list))
                {
                    _dependents[dependency] = list = [];
                }
                list.Add(path);
            }
        }
        foreach (var path in paths.Where(p => _waitingOn[p.Path] == 0))
        {
            _ready.Writer.TryWrite(path);
        }
        if (_remaining == 0)
        {
            _ready.Writer.TryComplete();
        }
    }

    /// <summary>Uploads everything; returns how many paths and bytes were pushed and what failed.</summary>
    public async Task<(int Pushed, long PushedBytes, IReadOnlyList<PushFailure> Failed)> RunAsync(CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, _jobs).Select(_ => Task.Run(() => WorkAsync(cancellationToken), cancellationToken)).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return (_pushed, _pushedBytes, _failed);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        await foreach (var path in _ready.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await _upload(path, cancellationToken).ConfigureAwait(false);
                Succeeded(path);
            }
            catch (CliException e)
            {
                Fail(path, e.Hint is null ? e.Message : $"{e.Message} (hint: {e.Hint})");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Anything unexpected (a malformed answer, an I/O error) fails this path and its dependents, not the run.
                Fail(path, e.Message);
            }
        }
    }

    private void Succeeded(LocalPathInfo path)
    {
        lock (_lock)
        {
            _pushed++;
            _pushedBytes += path.NarSize;
            Finish(path.Path);
            foreach (var dependent in _dependents.GetValueOrDefault(path.Path) ?? [])
            {
                if (--_waitingOn[dependent.Path] == 0 && !_finished.Contains(dependent.Path))
                {
                    _ready.Writer.TryWrite(dependent);
                }
            }
        }
    }

    private void Fail(LocalPathInfo path, string reason)
    {
        lock (_lock)
        {
            var pending = new Stack<(LocalPathInfo Path, string Reason)>();
            pending.Push((path, reason));
            while (pending.Count > 0)
            {
                var (current, why) = pending.Pop();
                if (_finished.Contains(current.Path))
                {
                    continue;
                }
                _failed.Add(new PushFailure(current.Path, why));
                _progress.PathFailed(current.Path, why);
                Finish(current.Path);
                foreach (var dependent in _dependents.GetValueOrDefault(current.Path) ?? [])
                {
                    pending.Push((dependent, $"not pushed: its reference {current.Path} failed"));
                }
            }
        }
    }

    private void Finish(string path)
    {
        _finished.Add(path);
        if (--_remaining == 0)
        {
            _ready.Writer.TryComplete();
        }
    }
}
