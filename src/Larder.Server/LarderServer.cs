using Larder.Server.Access;
using Larder.Server.Api;
using Larder.Server.Api.Explain;
using Larder.Server.Api.Paths;
using Larder.Server.Api.Pins;
using Larder.Server.BinaryCache;
using Larder.Server.BinaryCache.PinTarball;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Health;
using Larder.Server.Maintenance;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Relational;
using Larder.Server.Metrics;
using Larder.Server.SocketThreads;
using Larder.Server.Storage;
using Larder.Server.Ui;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server;

/// <summary>
/// Builds the <c>larder serve</c> web application. Configuration, lowest precedence first: built-in defaults,
/// <c>DATA/larder.json</c>, the <c>--config FILE</c>, environment variables (<c>Larder__Listen</c>, and
/// <c>LARDER_DATA</c> for the data directory), command-line arguments (<c>--listen</c>, <c>--data</c>,
/// <c>--Larder:Key=value</c>).
/// </summary>
public static partial class LarderServer
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
        NativeHeap.LimitArenas();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = ReadConfiguration(builder.Configuration, args);
        var listen = ListenAddress.Parse(options.Listen);
        if (options.SocketThreadAnswers)
        {
            EpollThreads.OnePerCore();
        }
        // A request runs on the thread that completed its socket read, and its response is sent from the thread that
        // wrote it: one work item per request instead of three (socket, parser, sender), which is what a client
        // fetching paths one by one waits on (Nix substitutes over one connection); with SocketThreadGate, none for a
        // narinfo answered from memory. Larder never blocks on its own connection's input or output.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            kestrel.Limits.MaxResponseBufferSize = 4 << 20;
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

    /// <summary>
    /// Fills <paramref name="configuration"/> from Larder's sources for <paramref name="args"/> (see the class summary)
    /// and returns the validated options: what <c>larder serve</c> reads, for tools that open its stores without
    /// serving. Throws <see cref="LarderConfigurationException"/> when the configuration is invalid.
    /// </summary>
    public static LarderOptions ReadConfiguration(ConfigurationManager configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(args);
        LarderOptions options;
        try
        {
            ConfigureSources(configuration, args);
            options = configuration.GetSection(LarderOptions.Section).Get<LarderOptions>() ?? new LarderOptions();
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
        return options;
    }

    /// <summary>Builds the application for <paramref name="args"/>: <see cref="CreateBuilder"/> then <see cref="Build(WebApplicationBuilder)"/>.</summary>
    public static WebApplication Build(string[] args) => Build(CreateBuilder(args));

    /// <summary>Builds the application and maps its middleware and endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<LarderOptions>>().Value;
        if (options.SocketThreadAnswers)
        {
            app.UseMiddleware<SocketThreadGate>();
        }
        if (TrustedProxies.ToOptions(options.TrustedProxies) is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }
        app.UseMiddleware<RequestMetrics>();
        app.UseMiddleware<ErrorMapping>();
        app.UseMiddleware<RememberedAnswers>();
        app.UseRouting();
        app.Use(ApiBodyLimit.Middleware);
        app.MapLarderApi();
        app.MapPushApi();
        app.MapPathApi();
        app.MapPinApi();
        app.MapPinTarball();
        app.MapPathStatusApi();
        app.MapBinaryCache();
        app.MapHealth();
        app.MapMetrics();
        app.MapUi();
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
        LogStartupWarnings(app, options);
        if (LarderStores.SqliteFile(options) is { } databaseFile && Directory.Exists(Path.GetDirectoryName(databaseFile)))
        {
            DataDirectoryPermissions.CreateDatabaseFile(databaseFile);
        }
        var store = services.GetRequiredService<IMetadataStore>();
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<IBlobStore>().PrepareAsync(cancellationToken).ConfigureAwait(false);
        return await AdminTokenBootstrap.EnsureAsync(store, options.DataDir, services.GetRequiredService<TimeProvider>(), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Warns about configuration keys nothing reads and data files other users can reach.</summary>
    private static void LogStartupWarnings(WebApplication app, LarderOptions options)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Larder.Server");
        var blobFolder = options.Storage.Kind.Equals("folder", StringComparison.OrdinalIgnoreCase) ? options.Storage.Folder.Path : null;
        var warnings = UnknownConfigurationKeys.Find(app.Configuration)
            .Concat(DataDirectoryPermissions.FindExposed(options.DataDir, blobFolder is null ? [] : [Path.GetFullPath(blobFolder)]));
        foreach (var warning in warnings)
        {
            LogStartupWarning(logger, warning);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogStartupWarning(ILogger logger, string warning);

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
            // Off, not Warning: while this category logs at any level, hosting starts an Activity and a log scope for
            // every request (about 5% of the server's CPU per narinfo); it logs nothing above Information per request.
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
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
        TrustedProxies.ToOptions(options.TrustedProxies);
        options.Oidc.Validate();
        options.FailedAuthentication.Validate();
        options.Chunking.Validate();
        options.Storage.Validate();
        options.Retention.Validate();
        options.Upstreams.Validate();
        options.Artifacts.Validate();
        var maintenance = options.Maintenance;
        foreach (var (key, value) in new[]
        {
            ("StagedUploadTtl", maintenance.StagedUploadTtl),
            ("ReleaseGrace", maintenance.ReleaseGrace),
            ("CleanupInterval", maintenance.CleanupInterval),
            ("LeaseDuration", maintenance.LeaseDuration),
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
        services.Configure<JsonOptions>(ApiJson.Configure);
        services.AddLarderApi();

        services.AddSingleton<LarderMetrics>();
        services.AddSingleton<UiSession>();
        DataDirectoryPermissions.CreateDirectory(options.DataDir);
        AddMetadataStore(services, options);
        AddBlobStore(services, options);

        services.AddSingleton<CacheAccess>();
        services.AddSingleton<TokenCommands>();
        services.AddSingleton<AccessRecorder>();
        services.AddSingleton<TokenUseRecorder>();
        services.AddSingleton<Traffic.TrafficRecorder>();
        services.AddSingleton<Access.RateLimiting.FailedAuthenticationLimiter>();
        Access.Oidc.OidcServices.AddOidcExchange(services);
        services.AddSingleton<Reaper>();
        services.AddHostedService<AccessFlushService>();
        services.AddHostedService<Maintenance.SizeFolding.CacheStatsFoldService>();
        services.AddHostedService<ReaperService>();
        services.AddSingleton<GarbageCollector>();
        services.AddHostedService<GcService>();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<Memory.IdleMemoryRelease>(sp, Storage.Chunks.ChunkBuffers.Pool));
        Artifacts.ArtifactServices.AddArtifacts(services);
        services.AddBinaryCache();
    }

    // Checked now, so that a configuration error surfaces at start-up; built by the container, which disposes it.
    private static void AddMetadataStore(IServiceCollection services, LarderOptions options)
    {
        LarderStores.ValidateMetadataOptions(options);
        services.AddSingleton<IMetadataStore>(sp =>
        {
            var store = LarderStores.CreateMetadataStore(options, sp.GetRequiredService<TimeProvider>());
            if (store is RelationalMetadataStore relational)
            {
                var latency = sp.GetRequiredService<LarderMetrics>().DatabaseLatency;
                relational.OperationTimed = elapsed => latency.Observe(elapsed.TotalSeconds);
            }
            return store;
        });
    }

    private static void AddBlobStore(IServiceCollection services, LarderOptions options)
    {
        var store = LarderStores.CreateBlobStore(options);
        services.AddSingleton<IBlobStore>(sp => LarderStores.WithInlineBlobs(
            new TimedBlobStore(store, sp.GetRequiredService<LarderMetrics>()), sp.GetRequiredService<IMetadataStore>(), options));
    }
}
