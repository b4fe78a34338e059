using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// One real <c>larder serve</c> for a test class, plus a CLI config (<c>LARDER_CONFIG</c> in a temp folder) logged in to
/// it as server <c>local</c> with the admin token. <see cref="RunAsync"/> runs the real <c>larder</c> executable.
/// </summary>
public sealed class LarderFixture : IAsyncLifetime
{
    private readonly TempDirectory _root = new("larder-cli-e2e");
    private readonly IReadOnlyList<string> _serverArgs;
    private LarderServerProcess? _server;

    public LarderFixture() : this([]) { }

    /// <summary>A fixture whose server gets <paramref name="serverArgs"/> (<c>--Larder:Key=value</c>).</summary>
    internal LarderFixture(IReadOnlyList<string> serverArgs) => _serverArgs = serverArgs;

    public LarderServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public NixPeer Nix { get; private set; } = null!;

    public string ConfigFile => Path.Combine(_root.Path, "cli", "config.json");

    public string Root => _root.Path;

    public async Task InitializeAsync()
    {
        Nix = await NixPeer.GetAsync();
        _server = await LarderServerProcess.StartAsync(Path.Combine(_root.Path, "data"), _serverArgs);
        (await RunAsync("login", "local", Server.BaseUrl, Server.AdminToken)).EnsureSuccess();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _root.Dispose();
    }

    /// <summary>A fresh cache name (caches are never shared between tests).</summary>
    public static string NewCacheName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Creates a cache through the CLI.</summary>
    public async Task<string> CreateCacheAsync(string prefix, bool isPublic = true)
    {
        var name = NewCacheName(prefix);
        var args = isPublic ? new[] { "cache", "create", name, "--public" } : ["cache", "create", name];
        (await RunAsync(args)).EnsureSuccess();
        return name;
    }

    /// <summary>Runs <c>larder ARGS</c> with this fixture's config and the Nix peer's environment.</summary>
    public Task<ProcessResult> RunAsync(params string[] args) => RunWithAsync(null, null, args);

    /// <summary>Runs <c>larder ARGS</c> with extra environment variables and optional stdin.</summary>
    public Task<ProcessResult> RunWithAsync(IReadOnlyDictionary<string, string>? extraEnvironment, string? stdin, params string[] args)
    {
        var environment = new Dictionary<string, string>(Nix.Environment)
        {
            ["LARDER_CONFIG"] = ConfigFile,
            ["LARDER_TOKEN"] = "",
            ["LARDER_SERVER"] = "",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return LarderExecutable.RunAsync(args, new ProcessOptions
        {
            Environment = environment,
            Stdin = stdin,
            Timeout = TimeSpan.FromMinutes(5),
        });
    }

    /// <summary>
    /// Environment for a Nix client whose only configuration is <paramref name="nixConf"/>'s folder (as written by
    /// <c>larder use</c>), with a private narinfo cache.
    /// </summary>
    public Dictionary<string, string> NixEnvironmentFor(string nixConf) => new()
    {
        ["NIX_CONF_DIR"] = Path.GetDirectoryName(nixConf)!,
        ["NIX_USER_CONF_FILES"] = "/dev/null",
        ["XDG_CACHE_HOME"] = Path.Combine(Root, $"xdg-{Guid.NewGuid():N}"),
        ["NIX_REMOTE"] = "",
    };

    /// <summary>A folder with a nix.conf holding the peer's base settings (no substituters), ready for <c>larder use</c>.</summary>
    public string NewNixConf(string extra = "")
    {
        var directory = Path.Combine(Root, $"nixconf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var baseConf = File.ReadAllText(Path.Combine(Nix.Environment["NIX_CONF_DIR"], "nix.conf"));
        var path = Path.Combine(directory, "nix.conf");
        File.WriteAllText(path, baseConf.TrimEnd('\n') + "\n" + extra);
        return path;
    }
}
