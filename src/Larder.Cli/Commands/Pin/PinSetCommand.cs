using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin set CACHE NAME --revision K</c>: roll back (a new revision naming what revision K named).</summary>
internal static class PinSetCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var name = new Argument<string>("NAME") { Description = "The pin." };
        var revision = new Option<int>("--revision") { Description = "The revision to return to (`larder pin history` numbers them).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the pin as JSON." };
        var keep = new PinKeepOptions();
        var command = new Command("set", """
            Roll a pin back: a new revision naming the path (and artifact) that revision K named, recorded with the
            token that did it. Refused when that path's closure is no longer in the cache.
            """)
        {
            cache, name, revision, json,
        };
        keep.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var request = keep.Apply(parse, new SetPinRequest(Revision: parse.GetValue(revision)));
            await PinSetting.SetAsync(parse.GetRequiredValue(cache), parse.GetRequiredValue(name), request, parse.GetValue(json), ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
