using Spectre.Console;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Prints an <see cref="ExplainReport"/> for a person: the summary, the sources, the root causes ranked, then a tree of
/// the builds (each built path under the target or build that needs it; a path reached again is marked, not repeated)
/// and the downloads counted per source. Colours only on a terminal.
/// </summary>
internal static class ExplainRenderer
{
    /// <summary>How many downloads are listed one by one before only their count is shown.</summary>
    private const int ListedDownloads = 20;

    public static void Write(IAnsiConsole console, ExplainReport report)
    {
        var s = report.Summary;
        console.MarkupLine(
            $"[bold]{s.Build}[/] to build, [bold]{s.Download}[/] to download ({Esc(ExplainAnalysis.ByteText(s.DownloadBytes))}), {s.ValidLocally} valid locally");
        foreach (var source in report.Sources)
        {
            var role = (source.IsLarder ? "Larder cache, " : "") + (source.IsSubstituter ? "substituter" : "not a substituter");
            var failure = source.Failure is null ? "" : $" [red]{Esc(source.Failure)}[/]";
            console.MarkupLine($"  asked {Esc(source.Name)} [grey]({role})[/]{failure}");
        }
        if (report.RootCauses.Count > 0)
        {
            console.WriteLine();
            console.MarkupLine("[bold]Root causes[/], most builds saved first:");
            var rank = 1;
            foreach (var cause in report.RootCauses)
            {
                var bytes = cause.DownloadBytes > 0 ? $", {Esc(ExplainAnalysis.ByteText(cause.DownloadBytes))} to download instead" : "";
                console.MarkupLine($" {rank++}. [red]{Esc(cause.Path)}[/] [grey]({cause.Verdict}; causes {cause.Builds} build(s){bytes})[/]");
                console.MarkupLine($"    {Esc(cause.Message)}");
            }
        }
        WriteBuilds(console, report);
        WriteDownloads(console, report);
    }

    private static void WriteBuilds(IAnsiConsole console, ExplainReport report)
    {
        var byPath = report.Paths.ToDictionary(p => p.Path, StringComparer.Ordinal);
        var builtTargets = report.Targets.Where(t => byPath.TryGetValue(t, out var v) && Verdicts.WillBeBuilt(v.Verdict)).ToList();
        if (builtTargets.Count == 0)
        {
            return;
        }
        console.WriteLine();
        var tree = new Tree("[bold]Builds[/]");
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(IHasTreeNodes Parent, string Path)>();
        foreach (var target in Enumerable.Reverse(builtTargets))
        {
            pending.Push((tree, target));
        }
        while (pending.Count > 0)
        {
            var (parent, path) = pending.Pop();
            var verdict = byPath[path];
            if (!shown.Add(path))
            {
                parent.AddNode($"[grey]{Esc(path)} (see above)[/]");
                continue;
            }
            var colour = verdict.Verdict == Verdicts.InputWillBeBuilt ? "yellow" : "red";
            var node = parent.AddNode($"[{colour}]{Esc(path)}[/] {Esc(verdict.Message)}");
            foreach (var input in Enumerable.Reverse(verdict.BuiltInputs ?? []))
            {
                pending.Push((node, input));
            }
        }
        console.Write(tree);
    }

    private static void WriteDownloads(IAnsiConsole console, ExplainReport report)
    {
        var downloads = report.Paths.Where(p => p.Verdict == Verdicts.Substitutable).ToList();
        if (downloads.Count == 0)
        {
            return;
        }
        console.WriteLine();
        console.MarkupLine("[bold]Downloads[/]");
        foreach (var group in downloads.GroupBy(d => d.Source))
        {
            var bytes = group.Sum(d => d.DownloadSize ?? 0);
            console.MarkupLine($"  [green]{group.Count()}[/] from {Esc(group.Key ?? "?")} ({Esc(ExplainAnalysis.ByteText(bytes))})");
            if (downloads.Count <= ListedDownloads)
            {
                foreach (var download in group)
                {
                    console.MarkupLine($"    [green]{Esc(download.Path)}[/] {Esc(download.Message)}");
                }
            }
        }
    }

    private static string Esc(string text) => Markup.Escape(text);
}
