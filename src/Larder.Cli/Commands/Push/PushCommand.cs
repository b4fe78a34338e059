using System.CommandLine;
using System.Globalization;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;
using Spectre.Console;

namespace Larder.Cli.Commands.Push;

/// <summary><c>larder push CACHE [PATHS…]</c>.</summary>
internal static class PushCommand
{
    private const long MinPartSize = 1L << 20;
    private const long MaxPartSize = 1L << 40;

    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "The cache: NAME (default server) or SERVER:NAME." };
        var paths = new Argument<string[]>("PATHS")
        {
            Description = "Store paths or symlinks to them (./result); '-' reads paths from stdin, one per line.",
            Arity = ArgumentArity.OneOrMore,
        };
        var noClosure = new Option<bool>("--no-closure") { Description = "Push only the given paths, not what they reference." };
        var buildDeps = new Option<bool>("--include-build-deps")
        {
            Description = "Also push the build-time closure (nix-store -qR --include-outputs of each path's deriver).",
        };
        var ignoreUpstream = new Option<bool>("--ignore-upstream-filter") { Description = "Also push paths signed by the cache's upstream keys." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Uploads in parallel.", DefaultValueFactory = _ => 4 };
        var partSize = new Option<string>("--part-size")
        {
            Description = "NARs bigger than this are uploaded in resumable parts of this size (e.g. 64M, 1G).",
            DefaultValueFactory = _ => "64M",
        };
        var compression = new Option<string>("--compression")
        {
            Description = "How NARs travel: zstd, none, or auto (none to a loopback server, zstd otherwise).",
            DefaultValueFactory = _ => "auto",
        };
        compression.AcceptOnlyFromAmong("auto", "zstd", "none");
        var noChunks = new Option<bool>("--no-chunks")
        {
            Description = "Upload whole NARs even when the server takes chunks (by default, large NARs send only the chunks the server lacks).",
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var pin = new Option<string?>("--pin") { Description = "After a successful push, pin the (one) pushed path under this name: a new revision of the pin." };

        var command = new Command("push", """
            Push store paths and their closures to a cache, uploading only what it lacks. Large NARs are cut into
            chunks as the server cuts them, and only the chunks it lacks are sent.

            Examples:
              larder push main ./result
              nix-build | larder push main -
              larder push work:ci --include-build-deps -j 8 /nix/store/…-hello-2.12
              larder push main ./result --pin myapp
            """)
        {
            cache, paths, noClosure, buildDeps, ignoreUpstream, jobs, partSize, compression, noChunks, json, pin,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var jobCount = parse.GetValue(jobs);
            if (jobCount < 1 || jobCount > 64)
            {
                throw new CliException($"--jobs must be between 1 and 64, not {jobCount}");
            }
            var part = ParseSize(parse.GetValue(partSize)!, "--part-size");
            if (part is < MinPartSize or > MaxPartSize)
            {
                throw new CliException($"--part-size must be between 1M and 1T, not {parse.GetValue(partSize)} ({ByteSize.Format(part)})");
            }
            var storePaths = await ReadPathsAsync(parse.GetValue(paths)!, ct).ConfigureAwait(false);
            var pinName = parse.GetValue(pin);
            if (pinName is not null && storePaths.Count != 1)
            {
                throw new CliException($"--pin names one path, but {storePaths.Count} paths are being pushed: push the path to pin alone");
            }
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var options = new PushOptions(
                Closure: !parse.GetValue(noClosure),
                IncludeBuildDeps: parse.GetValue(buildDeps),
                IgnoreUpstreamFilter: parse.GetValue(ignoreUpstream),
                Jobs: jobCount,
                PartSize: part,
                Compression: ChooseCompression(parse.GetValue(compression)!, target.Server.BaseUrl),
                Chunks: !parse.GetValue(noChunks));
            var summary = await RunAsync(client, target.Cache, storePaths, options, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(summary, CliJsonContext.Default.PushSummary);
            }
            else
            {
                Console.Out.WriteLine(Describe(summary));
            }
            if (summary.Failed.Count > 0)
            {
                Console.Error.WriteLine($"error: {summary.Failed.Count} of {Counted.Paths(summary.Failed.Count + summary.Pushed)} could not be pushed");
                return 1;
            }
            if (pinName is not null)
            {
                var pinned = await client.SetPinAsync(target.Cache, pinName, new Contracts.Pins.SetPinRequest(storePaths[0]), ct).ConfigureAwait(false);
                Console.Error.WriteLine(Pin.PinText.Summary(pinned, target.Server.BaseUrl));
            }
            return 0;
        });
        return command;
    }

    private static Task<PushSummary> RunAsync(
        Client.LarderClient client, string cache, IReadOnlyCollection<string> storePaths, PushOptions options, CancellationToken ct)
    {
        var store = new LocalStoreReader();
        if (!Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return TerminalPushProgress.RunAsync(console, progress => new Pusher(client, store, progress).PushAsync(cache, storePaths, options, ct));
        }
        return new Pusher(client, store, new PlainPushProgress(Console.Error)).PushAsync(cache, storePaths, options, ct);
    }

    /// <summary>Resolves the PATHS arguments (and stdin for '-') to distinct top-level store paths.</summary>
    internal static async Task<IReadOnlyList<string>> ReadPathsAsync(IEnumerable<string> arguments, CancellationToken ct)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            if (argument == "-")
            {
                string? line;
                while ((line = await Console.In.ReadLineAsync(ct).ConfigureAwait(false)) is not null)
                {
                    if (line.Trim() is { Length: > 0 } trimmed && StorePaths.Resolve(trimmed) is var resolved && seen.Add(resolved))
                    {
                        result.Add(resolved);
                    }
                }
            }
            else if (StorePaths.Resolve(argument) is var resolved && seen.Add(resolved))
            {
                result.Add(resolved);
            }
        }
        if (result.Count == 0)
        {
            throw new CliException("no store paths to push (stdin was empty)");
        }
        return result;
    }

    /// <summary>The compression to use: <c>auto</c> means none on loopback (compressing costs more than it saves there).</summary>
    internal static string ChooseCompression(string option, Uri server) => option switch
    {
        "auto" => server.IsLoopback ? "none" : "zstd",
        _ => option,
    };

    /// <summary>Parses <c>64M</c>, <c>1G</c>, <c>512K</c>, <c>1T</c> or a byte count (binary units); a size too large for a long is <see cref="long.MaxValue"/>.</summary>
    internal static long ParseSize(string text, string option)
    {
        var trimmed = text.Trim();
        var shift = 0;
        if (trimmed.Length > 0 && char.ToUpperInvariant(trimmed[^1]) is 'K' or 'M' or 'G' or 'T')
        {
            shift = char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 40 };
            trimmed = trimmed[..^1];
        }
        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new CliException($"{option}: '{text}' is not a size (e.g. 64M, 1G, 1048576)");
        }
        return value > long.MaxValue >> shift ? long.MaxValue : value << shift;
    }

    private static string Percent(long part, long whole) =>
        (whole == 0 ? 0 : 100.0 * part / whole).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    internal static string Describe(PushSummary summary)
    {
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 0.001);
        var line = summary.Pushed == 0 && summary.Failed.Count == 0
            ? $"nothing to push: {summary.AlreadyPresent} of {Counted.Paths(summary.Considered)} already in the cache"
            : $"pushed {Counted.Paths(summary.Pushed)} ({ByteSize.Format(summary.PushedBytes)}) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
              $"({ByteSize.Format((long)(summary.PushedBytes / seconds))}/s); {summary.AlreadyPresent} already in the cache";
        if (summary.DeduplicatedBytes > 0)
        {
            line += $"; sent {ByteSize.Format(summary.SentBytes)}, {ByteSize.Format(summary.DeduplicatedBytes)} " +
                    $"({Percent(summary.DeduplicatedBytes, summary.SentBytes + summary.DeduplicatedBytes)}) not sent: the server had those chunks";
        }
        if (summary.SkippedUpstream > 0)
        {
            line += $"; {summary.SkippedUpstream} skipped (signed upstream)";
        }
        if (summary.Failed.Count > 0)
        {
            line += $"; {summary.Failed.Count} failed";
        }
        return line;
    }
}
