using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin rm CACHE NAME</c>.</summary>
internal static class PinRemoveCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var name = new Argument<string>("NAME") { Description = "The pin." };
        var command = new Command("rm", "Delete a pin and its history (needs write permission); its paths stay until retention collects them.")
        {
            cache, name,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            await client.DeletePinAsync(target.Cache, parse.GetRequiredValue(name), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"deleted pin '{parse.GetRequiredValue(name)}' of cache '{target.Cache}'");
            return 0;
        });
        return command;
    }
}
