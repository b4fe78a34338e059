using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Larder.Contracts;
using Larder.Server.Access;
using Larder.Server.Api;
using Larder.Server.BinaryCache;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Maintenance;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Larder.Server;

/// <summary>
/// Builds the <c>larder serve</c> web application. Configuration, lowest precedence first: built-in defaults,
/// <c>DATA/larder.json</c>, the <c>--config FILE</c>, environment variables (<c>Larder__Listen</c>, and
/// <c>LARDER_DATA</c> for the data directory), command-line arguments (<c>--listen</c>, <c>--data</c>,
/// <c>--Larder:Key=value</c>).
/// </summary>
public static class LarderServer
{
    /// <summary>Short command-line switches and the keys they set.</summary>
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--listen"] = "Larder:Listen",
        ["--data"] = "Larder:DataDir",
        ["--config"] = "Larder:ConfigFile",
    };

    /// <summary>The configuration file name looked for in the data directory.</summary>
    public const string DataDirConfigFile = "larder.json";

    /// <summary>
    /// A builder with Larder's configuration sources, options, backends and services registered. Throws
    /// <see cref="LarderConfigurationException"/> when the configuration is invalid.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        LarderOptions options;
        try
        {
            ConfigureSources(builder.Configuration, args);
            options = builder.Configuration.GetSection(LarderOptions.Section).Get<LarderOptions>() ?? new LarderOptions();
        }
        catch (InvalidDataException e)
        {
            throw new LarderConfigurationException($"invalid JSON configuration: {e.Message} {e.InnerException?.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not convert.
            throw new LarderConfigurationException($"invalid configuration: {e.Message}", e);
        }
        Validate(options);
        var listen = ListenAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            if (listen.IPAddress is { } address)
            {
                kestrel.Listen(address, listen.Port);
            }
            else
            {
                kestrel.ListenLocalhost(listen.Port);
            }
        });
        AddServices(builder.Services, options);
        return builder;
    }

    /// <summary>Builds the application for <paramref name="args"/>: <see cref="CreateBuilder"/> then <see cref="Build(WebApplicationBuilder)"/>.</summary>
    public static WebApplication Build(string[] args) => Build(CreateBuilder(args));

    /// <summary>Builds the application and maps its middleware and endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseMiddleware<ErrorMapping>();
        app.UseRouting();
        app.Use(ApiBodyLimit.Middleware);
        app.MapLarderApi();
        app.MapPushApi();
        app.MapBinaryCache();
        return app;
    }

    /// <summary>
    /// Prepares the stores (schema migrations, blob folder) and, on first start, creates the admin token.
    /// Call before <c>StartAsync</c>; returns the new admin token's secret, or null when one existed.
    /// </summary>
    public static async Task<string?> InitializeAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var options = services.GetRequiredService<IOptions<LarderOptions>>().Value;
        var store = services.GetRequiredService<IMetadataStore>();
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (services.GetRequiredService<IBlobStore>() is Storage.S3.S3BlobStore s3)
        {
            await s3.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }
        return await AdminTokenBootstrap.EnsureAsync(store, options.DataDir, services.GetRequiredService<TimeProvider>(), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The URLs Kestrel listens on, once started (resolves port 0 to the real port).</summary>
    public static IReadOnlyList<string> GetListenUrls(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return [.. addresses?.Addresses ?? []];
    }

    private static void ConfigureSources(ConfigurationManager configuration, string[] args)
    {
        configuration.Sources.Clear();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        // First pass without the files, to learn where the data directory and the config file are.
        var early = new ConfigurationBuilder();
        AddOverrides(early, args);
        var firstPass = early.Build();
        var configFile = firstPass["Larder:ConfigFile"];
        if (!string.IsNullOrEmpty(configFile))
        {
            configFile = Path.GetFullPath(configFile);
            if (!File.Exists(configFile))
            {
                throw new LarderConfigurationException($"the configuration file '{configFile}' (--config) does not exist");
            }
            early.AddJsonFile(configFile, optional: false, reloadOnChange: false);
            AddOverrides(early, args);
        }
        var dataDir = Path.GetFullPath(early.Build()[$"{LarderOptions.Section}:DataDir"] ?? new LarderOptions().DataDir);
        var dataConfig = Path.Combine(dataDir, DataDirConfigFile);
        if (File.Exists(dataConfig))
        {
            configuration.AddJsonFile(dataConfig, optional: false, reloadOnChange: false);
        }
        if (!string.IsNullOrEmpty(configFile))
        {
            configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
        }
        AddOverrides(configuration, args);
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{LarderOptions.Section}:DataDir"] = dataDir });
    }

    private static void AddOverrides(IConfigurationBuilder configuration, string[] args)
    {
        configuration.AddEnvironmentVariables();
        var legacyData = Environment.GetEnvironmentVariable("LARDER_DATA");
        if (!string.IsNullOrEmpty(legacyData))
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{LarderOptions.Section}:DataDir"] = legacyData });
        }
        configuration.AddCommandLine(args, SwitchMappings);
    }

    private static void Validate(LarderOptions options)
    {
        if (options.MaxUploadBytes <= 0)
        {
            throw new LarderConfigurationException($"Larder:MaxUploadBytes must be positive, not {options.MaxUploadBytes}");
        }
        var maintenance = options.Maintenance;
        foreach (var (key, value) in new[]
        {
            ("StagedUploadTtl", maintenance.StagedUploadTtl),
            ("ReleaseGrace", maintenance.ReleaseGrace),
            ("CleanupInterval", maintenance.CleanupInterval),
            ("AccessFlushInterval", maintenance.AccessFlushInterval),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new LarderConfigurationException($"Larder:Maintenance:{key} must be a positive duration such as 00:05:00, not {value}");
            }
        }
    }

    private static void AddServices(IServiceCollection services, LarderOptions options)
    {
        services.AddOptions<LarderOptions>().BindConfiguration(LarderOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, LarderJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddOpenApi("v1");

        Directory.CreateDirectory(options.DataDir);
        AddMetadataStore(services, options);
        AddBlobStore(services, options);

        services.AddSingleton<CacheAccess>();
        services.AddSingleton<AccessRecorder>();
        services.AddSingleton<Reaper>();
        services.AddHostedService<AccessFlushService>();
        services.AddHostedService<ReaperService>();
        services.AddBinaryCache();
    }

    private static void AddMetadataStore(IServiceCollection services, LarderOptions options)
    {
        switch (options.Database.Kind.ToLowerInvariant())
        {
            case "sqlite":
                var connectionString = string.IsNullOrWhiteSpace(options.Database.ConnectionString)
                    ? $"Data Source={Path.Combine(options.DataDir, "larder.db")}"
                    : options.Database.ConnectionString;
                services.AddSingleton<IMetadataStore>(sp => new SqliteMetadataStore(connectionString, sp.GetRequiredService<TimeProvider>()));
                break;
            case "postgres":
                var postgres = options.Database.ConnectionString
                    ?? throw new LarderConfigurationException("Larder:Database:ConnectionString is required when Larder:Database:Kind is 'postgres'");
                services.AddSingleton<IMetadataStore>(sp => new Metadata.Postgres.PostgresMetadataStore(postgres, sp.GetRequiredService<TimeProvider>()));
                break;
            default:
                throw new LarderConfigurationException($"unknown Larder:Database:Kind '{options.Database.Kind}': use 'sqlite' or 'postgres'");
        }
    }

    private static void AddBlobStore(IServiceCollection services, LarderOptions options)
    {
        switch (options.Storage.Kind.ToLowerInvariant())
        {
            case "folder":
                var root = Path.GetFullPath(options.Storage.Folder.Path ?? Path.Combine(options.DataDir, "blobs"));
                services.AddSingleton<IBlobStore>(_ => new FolderBlobStore(root));
                break;
            case "s3":
                services.AddSingleton<IBlobStore>(new Storage.S3.S3BlobStore(options.Storage.S3));
                break;
            default:
                throw new LarderConfigurationException($"unknown Larder:Storage:Kind '{options.Storage.Kind}': use 'folder' or 's3'");
        }
    }

    private static LarderConfigurationException NotYetAvailable(string key, string kind) =>
        new($"{key} '{kind}' is not available in this build");
}
