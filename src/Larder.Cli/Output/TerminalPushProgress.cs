using Spectre.Console;

namespace Larder.Cli.Output;

/// <summary>
/// A live Spectre.Console display on a terminal: one bar for the NAR bytes pushed (with speed) whose label counts
/// paths done of total and the bytes actually sent (chunks the server already held are pushed without being sent),
/// shown once the uploads begin; failures and notes print above it.
/// </summary>
public sealed class TerminalPushProgress : IPushProgress
{
    private readonly IAnsiConsole _console;
    private readonly Lock _lock = new();
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _total;
    private int _done;
    private int _failed;
    private long _sent;
    private long _deduplicated;

    private TerminalPushProgress(IAnsiConsole console) => _console = console;

    /// <summary>Runs <paramref name="body"/> with a live display on <paramref name="console"/>.</summary>
    public static Task<T> RunAsync<T>(IAnsiConsole console, Func<IPushProgress, Task<T>> body)
    {
        var progress = new TerminalPushProgress(console);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ByteColumns.Transferred(),
                new ByteColumns.Speed(),
                new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                progress._context = context;
                return await body(progress).ConfigureAwait(false);
            });
    }

    public void Begin(int paths, long bytes)
    {
        lock (_lock)
        {
            _total = paths;
            _task = _context!.AddTask("pushing", autoStart: true, maxValue: Math.Max(bytes, 1));
            UpdateLabel();
        }
    }

    public void PathStarted(string storePath, long narSize)
    {
    }

    public void BytesSent(long bytes)
    {
        Interlocked.Add(ref _sent, bytes);
        _task?.Increment(bytes);
    }

    public void BytesDeduplicated(long bytes)
    {
        lock (_lock)
        {
            _deduplicated += bytes;
            _task?.Increment(bytes);
            UpdateLabel();
        }
    }

    public void PathDone(string storePath)
    {
        lock (_lock)
        {
            _done++;
            UpdateLabel();
        }
    }

    public void PathFailed(string storePath, string reason)
    {
        lock (_lock)
        {
            _failed++;
            UpdateLabel();
            _console.MarkupLineInterpolated($"[red]failed[/] {storePath}: {reason}");
        }
    }

    public void Note(string message) => _console.WriteLine(message);

    private void UpdateLabel()
    {
        if (_task is not null)
        {
            var label = _failed == 0 ? $"paths {_done}/{_total}" : $"paths {_done}/{_total}, {_failed} failed";
            if (_deduplicated > 0)
            {
                label += $", sent {ByteSize.Format(Interlocked.Read(ref _sent))} (server had {ByteSize.Format(_deduplicated)})";
            }
            _task.Description = label;
        }
    }
}
