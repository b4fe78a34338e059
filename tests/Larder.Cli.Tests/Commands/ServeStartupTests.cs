using Larder.Cli.Tests.Key;
using Larder.Testing;

namespace Larder.Cli.Tests.Commands;

public sealed class ServeStartupTests : IDisposable
{
    private readonly TempDirectory _data = new("larder-serve");

    [Fact]
    public async Task Serve_on_a_port_in_use_fails_with_one_line_and_no_stack_trace()
    {
        using var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var port = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;

        var result = await LarderKeyCli.RunAsync("serve", "--listen", $"127.0.0.1:{port}", "--data", _data.Path);

        Assert.NotEqual(0, result.ExitCode);
        var output = result.Stdout + result.Stderr;
        Assert.Contains($"error: cannot listen on 127.0.0.1:{port}: the address is already in use by another process", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_warns_about_a_misspelt_configuration_key()
    {
        await using var server = await LarderServerProcess.StartAsync(_data.Path, ["--Larder:MaxUplodBytes=10"]);

        await WaitForAsync(() => server.Output.Contains("did you mean 'Larder:MaxUploadBytes'?", StringComparison.Ordinal));
        Assert.Contains("unknown configuration key 'Larder:MaxUplodBytes' is ignored", server.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    public void Dispose() => _data.Dispose();
}
