using System.Diagnostics;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary><c>larder watch-store</c> pushes paths built while it runs.</summary>
public sealed class WatchStoreTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    [Fact]
    public async Task Watch_store_pushes_a_path_built_while_it_runs()
    {
        var cache = await fixture.CreateCacheAsync("watchstore");
        using var watcher = StartWatcher(cache);
        try
        {
            // Wait until it has read the store's current state, so the build below is "new".
            await WaitForLineAsync(watcher, "watching the store");
            var output = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));

            await WaitForLineAsync(watcher, "pushed ");

            (await fixture.RunAsync("path-info", cache, output)).EnsureSuccess();
        }
        finally
        {
            watcher.Kill(entireProcessTree: true);
            await watcher.WaitForExitAsync();
        }
    }

    private Process StartWatcher(string cache)
    {
        var (fileName, prefix) = LarderExecutable.Locate();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(["watch-store", cache, "--interval", "0.2"]))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in fixture.Nix.Environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["LARDER_CONFIG"] = fixture.ConfigFile;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start larder watch-store");
    }

    /// <summary>Reads stderr until a line contains <paramref name="text"/>; fails if the process exits first.</summary>
    private static async Task WaitForLineAsync(Process process, string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardError.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }
        Assert.Fail($"watch-store exited ({(process.HasExited ? process.ExitCode : -1)}) before printing '{text}'");
    }
}
