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

        Assert.True(await server.WaitForOutputAsync("did you mean 'Larder:MaxUploadBytes'?", TimeSpan.FromSeconds(10)), server.Output);
        Assert.Contains("unknown configuration key 'Larder:MaxUplodBytes' is ignored", server.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
