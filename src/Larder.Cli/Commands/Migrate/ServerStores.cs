using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Server;
using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.Extensions.Configuration;

namespace Larder.Cli.Commands.Migrate;

/// <summary>
/// The metadata and blob stores exactly as <c>larder serve</c> would open them for the same <c>--data</c>,
/// <c>--config</c> and <c>--Larder:Key=value</c> arguments (same sources, same precedence), built without a web host.
/// Refuses a data directory that holds no Larder data instead of creating an empty one, unless asked to create it.
/// </summary>
internal sealed class ServerStores : IAsyncDisposable
{
    private readonly bool _create;
    private IBlobStore? _blobs;

    private ServerStores(LarderOptions options, IMetadataStore metadata, bool create)
    {
        Options = options;
        Metadata = metadata;
        _create = create;
    }

    public LarderOptions Options { get; }

    public IMetadataStore Metadata { get; }

    /// <summary>
    /// The blob store, checked as at start-up (an S3 bucket must exist or be creatable); a blob folder must exist
    /// unless the stores were opened to create the data.
    /// </summary>
    public async Task<IBlobStore> GetBlobStoreAsync(CancellationToken cancellationToken)
    {
        if (_blobs is null)
        {
            if (!_create && LarderStores.BlobFolder(Options) is { } folder && !Directory.Exists(folder))
            {
                throw NoData(Options, $"the blob folder {folder} does not exist");
            }
            _blobs = await Guard(() => Task.FromResult<IBlobStore>(LarderStores.WithInlineBlobs(LarderStores.CreateBlobStore(Options), Metadata, Options)))
                .ConfigureAwait(false);
            await Guard(() => _blobs.PrepareAsync(cancellationToken)).ConfigureAwait(false);
        }
        return _blobs;
    }

    /// <summary>The <c>--data</c> and <c>--config</c> options every store-level command takes.</summary>
    public static (Option<string?> Data, Option<string?> Config) CreateOptions() =>
    (
        new Option<string?>("--data") { Description = "Data directory, as for 'larder serve' (default ./larder-data, or LARDER_DATA)." },
        new Option<string?>("--config") { Description = "A JSON configuration file, as for 'larder serve' (keys under \"Larder\")." }
    );

    /// <summary>Server arguments from the parsed options plus any <c>--Larder:Key=value</c> tokens.</summary>
    public static List<string> ServerArgs(ParseResult parse, Option<string?> data, Option<string?> config)
    {
        var args = new List<string>();
        foreach (var (name, option) in new[] { ("--data", data), ("--config", config) })
        {
            if (parse.GetValue(option) is { } value)
            {
                args.Add(name);
                args.Add(value);
            }
        }
        foreach (var token in parse.UnmatchedTokens)
        {
            if (!token.StartsWith("--Larder:", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"unknown argument '{token}'", "configuration keys are given as --Larder:Key=value");
            }
            args.Add(token);
        }
        return args;
    }

    /// <summary>
    /// Opens the stores for these server arguments; configuration errors become <see cref="CliException"/>. Without
    /// <paramref name="create"/>, a data directory without Larder's database is refused ("no Larder data at DIR").
    /// </summary>
    public static Task<ServerStores> OpenAsync(IReadOnlyList<string> serverArgs, bool create = false) => Guard(() =>
    {
        var options = LarderServer.ReadConfiguration(new ConfigurationManager(), [.. serverArgs]);
        if (create)
        {
            Directory.CreateDirectory(options.DataDir);
        }
        else if (LarderStores.SqliteFile(options) is { } database && !File.Exists(database))
        {
            throw NoData(options, $"the database {database} does not exist");
        }
        return Task.FromResult(new ServerStores(options, LarderStores.CreateMetadataStore(options), create));
    });

    public async ValueTask DisposeAsync()
    {
        await DisposeAsync(Metadata).ConfigureAwait(false);
        await DisposeAsync(_blobs).ConfigureAwait(false);
    }

    private static async ValueTask DisposeAsync(object? store)
    {
        if (store is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (store is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private static CliException NoData(LarderOptions options, string reason) => new(
        $"no Larder data at {options.DataDir}: {reason}",
        "give the server's data directory with --data DIR (or LARDER_DATA, or --config FILE); 'larder migrate --create' sets up a new one");

    /// <summary>Turns the stores' expected failures into one clear line.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (LarderConfigurationException e)
        {
            throw new CliException(e.Message, "check the configuration (--config, DATA/larder.json, --Larder:Key=value, Larder__Key variables)");
        }
        catch (ArgumentException e) when (e.ParamName == "connectionString")
        {
            throw new CliException(e.Message, "see Larder:Database:ConnectionString");
        }
        catch (MetadataUnavailableException e)
        {
            throw new CliException($"the metadata database is unavailable: {e.Message}", "check Larder:Database:ConnectionString and that the server is running");
        }
    }

    private static Task Guard(Func<Task> body) => Guard(async () =>
    {
        await body().ConfigureAwait(false);
        return true;
    });
}
