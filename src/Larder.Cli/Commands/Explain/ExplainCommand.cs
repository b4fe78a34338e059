using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Spectre.Console;

namespace Larder.Cli.Commands.Explain;

/// <summary><c>larder explain INSTALLABLE|DRV|STORE_PATH [--cache CACHE]… [--json]</c>: why paths will be built instead of fetched.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("TARGET")
        {
            Description = "A .nix file or folder (instantiated), a .drv, a store path or a symlink to one (./result); with --expr, a Nix expression.",
        };
        var caches = new Option<string[]>("--cache", "-c")
        {
            Description = "Also ask this Larder cache (CACHE or SERVER:CACHE), even if it is not a substituter. Repeatable.",
        };
        var attributes = new Option<string[]>("--attr", "-A") { Description = "Attribute of the file or expression to explain. Repeatable." };
        var expression = new Option<bool>("--expr") { Description = "TARGET is a Nix expression, not a file." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("explain", """
            Explain why Nix would build paths instead of downloading them. Walks the derivation graph of TARGET and,
            for every output not valid locally, asks each substituter of the effective nix.conf (nix show-config) and
            each --cache: a Larder cache in one batched request, any other binary cache by narinfo. Each path gets one
            verdict: substitutable from X; present in X but X is not a substituter; present but signed by a key not in
            trusted-public-keys; present but a reference is in no substituter; evicted from X (when, why, by whom);
            changed input (X has the same name from another derivation, naming what differs); never pushed; or will be
            built because its input Y will be built. Root causes are ranked by how many builds they cause.

            Examples:
              larder explain ./default.nix -A hello
              larder explain /nix/store/…-hello-2.12.drv --cache main --json
              larder explain --expr 'import ./release.nix {}' -A tests
            """)
        {
            target, caches, attributes, expression, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            // The configuration is read while the target is instantiated and its graph read.
            var settingsTask = NixSettings.ReadAsync("nix", ct);
            var targets = await ExplainTargets.ResolveAsync(
                parse.GetRequiredValue(target), parse.GetValue(expression), parse.GetValue(attributes) ?? [], ct).ConfigureAwait(false);
            var graph = await new DerivationReader().ReadAsync(targets.Derivations, recursive: true, ct).ConfigureAwait(false);
            var settings = await settingsTask.ConfigureAwait(false);
            using var sources = ExplainSources.Create(settings, parse.GetValue(caches) ?? []);
            var report = await new ExplainRun(settings, sources).RunAsync(targets, graph, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(report, ExplainJsonContext.Default.ExplainReport);
            }
            else
            {
                ExplainRenderer.Write(CreateConsole(), report);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Stdout with colours on a terminal; plain, unwrapped text when redirected (Spectre would otherwise emit ANSI codes and wrap at 80 columns).</summary>
    private static IAnsiConsole CreateConsole()
    {
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 4096;
        }
        return console;
    }
}
