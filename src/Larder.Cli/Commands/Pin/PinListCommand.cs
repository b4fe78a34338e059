using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin list CACHE</c>.</summary>
internal static class PinListCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("list", "List the pins of a cache with their current paths (needs read permission).") { cache, json };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var pins = await client.ListPinsAsync(target.Cache, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(pins, PinJsonContext.Default.IReadOnlyListPinDto);
                return 0;
            }
            foreach (var pin in pins)
            {
                var artifact = pin.Current.Artifact is null ? "" : $" (artifact {pin.Current.Artifact})";
                Console.Out.WriteLine($"{pin.Name}  #{pin.Current.Number}  {pin.Current.StorePath}{artifact}  {PinText.Keep(pin.Keep)}");
            }
            if (pins.Count == 0)
            {
                Console.Out.WriteLine($"cache '{target.Cache}' has no pins");
            }
            return 0;
        });
        return command;
    }
}
