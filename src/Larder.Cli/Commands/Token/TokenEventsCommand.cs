using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Oidc;

namespace Larder.Cli.Commands.Token;

/// <summary><c>larder token events [--token ID]</c>: token creation, revocation, writes and OIDC exchanges, newest first.</summary>
internal static class TokenEventsCommand
{
    public static Command Create()
    {
        var token = new Option<long?>("--token") { Description = "Only the events of this token id." };
        var limit = new Option<int>("--limit") { Description = "How many events (at most 1000).", DefaultValueFactory = _ => 50 };
        var server = new Option<string?>("--server") { Description = "Server name (default: the default server)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("events", "Show the token event log (admin on '*'): creation, revocation, writes, OIDC exchanges.")
        {
            token, limit, server, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            if (parse.GetValue(limit) is < 1 or > 1000)
            {
                throw new CliException($"--limit must be between 1 and 1000, not {parse.GetValue(limit)}");
            }
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var events = await client.ListTokenEventsAsync(parse.GetValue(token), parse.GetValue(limit), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(events, OidcJsonContext.Default.IReadOnlyListTokenEventDto);
                return 0;
            }
            foreach (var e in events)
            {
                Console.Out.WriteLine($"{e.At:u}  token {e.TokenId,-5}  {e.Kind,-13}  {e.Detail}");
            }
            if (events.Count == 0)
            {
                Console.Out.WriteLine("no token events");
            }
            return 0;
        });
        return command;
    }
}
