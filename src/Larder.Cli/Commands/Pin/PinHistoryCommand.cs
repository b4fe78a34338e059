using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin history CACHE NAME</c>.</summary>
internal static class PinHistoryCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var name = new Argument<string>("NAME") { Description = "The pin." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("history", "Show every revision of a pin, newest first: when, which path, which token, and whether it is still protected.")
        {
            cache, name, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var history = await client.GetPinHistoryAsync(target.Cache, parse.GetRequiredValue(name), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(history, PinJsonContext.Default.PinHistoryDto);
                return 0;
            }
            Console.Out.WriteLine($"pin '{history.Pin.Name}' of cache '{target.Cache}' ({PinText.Keep(history.Pin.Keep)}):");
            foreach (var revision in history.History)
            {
                Console.Out.WriteLine("  " + PinText.Revision(revision));
            }
            return 0;
        });
        return command;
    }
}
