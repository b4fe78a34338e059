using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>larder pin add CACHE NAME PATH [--artifact FILE] [--keep-revisions N | --keep-days D | --keep-forever]</c>.</summary>
internal static class PinAddCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var name = new Argument<string>("NAME") { Description = "The pin: a letter or '_', then letters, digits, '_' or '-' (at most 100)." };
        var path = new Argument<string>("PATH") { Description = "The store path, or a symlink to it (./result); the cache must hold its closure." };
        var artifact = new Option<string?>("--artifact") { Description = "A file inside the path (bin/myapp) to serve at the pin's stable download URL." };
        var json = new Option<bool>("--json") { Description = "Print the pin as JSON." };
        var keep = new PinKeepOptions();
        var command = new Command("add", """
            Pin a path: a new revision of the pin (created if new). Needs write permission; the cache must hold the
            path's whole closure (push it first). Older revisions stay protected as the keep option says.
            """)
        {
            cache, name, path, artifact, json,
        };
        keep.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var request = keep.Apply(parse, new SetPinRequest(StorePaths.Resolve(parse.GetRequiredValue(path)), parse.GetValue(artifact)));
            await PinSetting.SetAsync(parse.GetRequiredValue(cache), parse.GetRequiredValue(name), request, parse.GetValue(json), ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
