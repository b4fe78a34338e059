using System.Collections.Concurrent;
using Larder.Cli.Commands.Push;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;

namespace Larder.Cli.Tests.Push;

public sealed class PushRunTests
{
    private static LocalPathInfo Path(string name, params string[] references) =>
        new($"/nix/store/{name.PadLeft(32, '0')}-{name}", "sha256:0", 1, [.. references.Select(r => $"/nix/store/{r.PadLeft(32, '0')}-{r}")], null, [], null);

    // a <- b <- d, a <- c <- d (a diamond), e alone, and f referring to itself
    private static readonly LocalPathInfo[] Diamond =
    [
        Path("d", "b", "c"), Path("b", "a"), Path("c", "a"), Path("a"), Path("e"), Path("f", "f"),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Every_path_is_uploaded_after_all_its_references(int jobs)
    {
        var done = new ConcurrentDictionary<string, bool>();
        var violations = new ConcurrentBag<string>();
        var run = new PushRun(Diamond, jobs, async (info, _) =>
        {
            await Task.Yield();
            foreach (var reference in info.References.Where(r => r != info.Path))
            {
                if (!done.ContainsKey(reference))
                {
                    violations.Add($"{info.Path} before {reference}");
                }
            }
            done[info.Path] = true;
        }, new PlainPushProgress(TextWriter.Null));

        var (pushed, bytes, failed) = await run.RunAsync(CancellationToken.None);

        Assert.Empty(violations);
        Assert.Equal(6, pushed);
        Assert.Equal(6, bytes);
        Assert.Empty(failed);
    }

    [Fact]
    public async Task A_failed_path_fails_its_dependents_without_attempting_them()
    {
        var attempted = new ConcurrentBag<string>();
        var run = new PushRun(Diamond, 2, (info, _) =>
        {
            attempted.Add(info.Path);
            return info.Path.EndsWith("-b", StringComparison.Ordinal) ? throw new CliException("boom") : Task.CompletedTask;
        }, new PlainPushProgress(TextWriter.Null));

        var (pushed, _, failed) = await run.RunAsync(CancellationToken.None);

        Assert.Equal(["b", "d"], failed.Select(f => f.StorePath[^1..]).Order());
        Assert.Contains("not pushed: its reference", failed.Single(f => f.StorePath.EndsWith("-d", StringComparison.Ordinal)).Reason);
        Assert.DoesNotContain(attempted, p => p.EndsWith("-d", StringComparison.Ordinal));
        Assert.Equal(4, pushed);
    }

    [Fact]
    public async Task Nothing_to_push_finishes_at_once()
    {
        var (pushed, _, failed) = await new PushRun([], 4, (_, _) => Task.CompletedTask, new PlainPushProgress(TextWriter.Null)).RunAsync(CancellationToken.None);

        Assert.Equal(0, pushed);
        Assert.Empty(failed);
    }

    public static TheoryData<Exception> UploadFailures() => new()
    {
        new CliException("refused"),
        new IOException("disk error"),
        new System.Text.Json.JsonException("malformed answer"),
        new HttpRequestException("connection reset"),
    };

    [Theory]
    [MemberData(nameof(UploadFailures))]
    public async Task Any_upload_failure_fails_that_path_and_not_the_whole_run(Exception failure)
    {
        var run = new PushRun([Path("a"), Path("b")], 2, (info, _) =>
            info.Path.EndsWith("-a", StringComparison.Ordinal) ? Task.FromException(failure) : Task.CompletedTask,
            new PlainPushProgress(TextWriter.Null));

        var (pushed, _, failed) = await run.RunAsync(CancellationToken.None);

        Assert.Equal(1, pushed);
        Assert.Contains(failure.Message, Assert.Single(failed).Reason);
    }
}
