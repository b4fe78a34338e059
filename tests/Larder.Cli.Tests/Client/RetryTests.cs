using System.Net;
using System.Net.Sockets;
using System.Text;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Tests.Client;

/// <summary>How long the client keeps trying when the server refuses connections.</summary>
public sealed class RetryTests
{
    private const string WhoAmI = """{"id":1,"description":"t","grants":[]}""";

    [Fact]
    public async Task A_server_restarting_after_it_answered_is_waited_for_beyond_the_usual_retries()
    {
        // Answers once, then refuses 6 connections (more than the 4 ordinary retries), then answers again.
        using var handler = new ScriptedHandler(refusalsAfterFirstAnswer: 6);
        using var client = new LarderClient(new ServerTarget("t", new Uri("http://larder.test/"), "secret"), handler: handler);

        await client.WhoAmIAsync(CancellationToken.None);
        var again = await client.WhoAmIAsync(CancellationToken.None);

        Assert.Equal("t", again.Description);
        Assert.Equal(8, handler.Calls);
    }

    [Fact]
    public async Task A_server_that_never_answered_fails_after_the_usual_retries()
    {
        using var handler = new ScriptedHandler(refusalsAfterFirstAnswer: 0, refuseFirst: 100);
        using var client = new LarderClient(new ServerTarget("t", new Uri("http://larder.test/"), "secret"), maxRetries: 2, handler: handler);

        var error = await Assert.ThrowsAsync<CliException>(() => client.WhoAmIAsync(CancellationToken.None));

        Assert.Contains("connection refused", error.Message);
        Assert.Equal(3, handler.Calls);
    }

    private sealed class ScriptedHandler(int refusalsAfterFirstAnswer, int refuseFirst = 0) : HttpMessageHandler
    {
        private int _refusedAfter;

        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            if (Calls <= refuseFirst || (Calls > 1 && _refusedAfter++ < refusalsAfterFirstAnswer))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(WhoAmI, Encoding.UTF8, "application/json") });
        }
    }
}
