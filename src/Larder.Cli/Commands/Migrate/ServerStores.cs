using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Server;
using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Larder.Cli.Commands.Migrate;

/// <summary>
/// The metadata and blob stores exactly as <c>larder serve</c> would open them for the same <c>--data</c>,
/// <c>--config</c> and <c>--Larder:Key=value</c> arguments (same sources, same precedence), without serving anything.
/// </summary>
internal sealed class ServerStores : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerStores(WebApplication app)
    {
        _app = app;
        Options = app.Services.GetRequiredService<IOptions<LarderOptions>>().Value;
        Metadata = app.Services.GetRequiredService<IMetadataStore>();
    }

    public LarderOptions Options { get; }

    public IMetadataStore Metadata { get; }

    /// <summary>The blob store, checked as at start-up (an S3 bucket must exist or be creatable).</summary>
    public async Task<IBlobStore> GetBlobStoreAsync(CancellationToken cancellationToken)
    {
        var blobs = _app.Services.GetRequiredService<IBlobStore>();
        if (blobs is Server.Storage.S3.S3BlobStore s3)
        {
            await Guard(() => s3.PrepareAsync(cancellationToken)).ConfigureAwait(false);
        }
        return blobs;
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

    /// <summary>Opens the stores for these server arguments; configuration errors become <see cref="CliException"/>.</summary>
    public static Task<ServerStores> OpenAsync(IReadOnlyList<string> serverArgs) => Guard(() =>
    {
        var builder = LarderServer.CreateBuilder([.. serverArgs]);
        return Task.FromResult(new ServerStores(builder.Build()));
    });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

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
