using System.Diagnostics;

namespace Larder.Nix.Tests.Compression.Support;

/// <summary>
/// Debian's nix-bin with a private configuration (as eng's nix-peer-setup does: no substituters, no narinfo
/// caching, fail-fast transfers) for the compression interop tests; every command runs under a timeout.
/// </summary>
internal sealed class NixSandbox : IDisposable
{
    private const string Config = """
        build-users-group =
        sandbox = false
        substituters =
        trusted-public-keys =
        require-sigs = true
        experimental-features = nix-command
        narinfo-cache-negative-ttl = 0
        narinfo-cache-positive-ttl = 0
        download-attempts = 1
        connect-timeout = 5
        fsync-metadata = false
        """;

    private readonly Dictionary<string, string> _environment;

    public NixSandbox()
    {
        ExternalTool.Locate("nix-store");
        Root = Directory.CreateTempSubdirectory("larder-codecs-nix-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "etc"));
        File.WriteAllText(Path.Combine(Root, "etc", "nix.conf"), Config);
        _environment = new()
        {
            ["NIX_CONF_DIR"] = Path.Combine(Root, "etc"),
            ["NIX_USER_CONF_FILES"] = "/dev/null",
            ["XDG_CACHE_HOME"] = Path.Combine(Root, "xdg-cache"),
        };
    }

    /// <summary>A private temporary folder, removed on dispose.</summary>
    public string Root { get; }

    /// <summary>Runs a nix command; fails the test unless it exits 0. Returns stdout as bytes.</summary>
    public async Task<byte[]> RunAsync(string exe, params string[] args)
    {
        var start = new ProcessStartInfo(ExternalTool.Locate(exe))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = new MemoryStream();
        try
        {
            var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await reading;
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{exe} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return stdout.ToArray();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is not worth failing a test for.
        }
    }
}
