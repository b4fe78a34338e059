namespace Larder.Testing;

/// <summary>
/// The real Nix client (Debian's nix-bin) as a test peer: root, no daemon, no network, with a private configuration
/// (no default substituters, no narinfo caching, fail-fast uploads) so tests see every HTTP request they cause.
/// One instance per test process; tests that need extra nix.conf lines get their own configuration directory
/// through <see cref="EnvironmentWith"/>.
/// </summary>
public sealed class NixPeer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static NixPeer? _shared;

    private const string BaseConfig = """
        build-users-group =
        sandbox = false
        sandbox-paths = /bin /lib /lib64 /usr
        substituters =
        trusted-substituters =
        trusted-public-keys =
        require-sigs = true
        experimental-features = nix-command flakes
        narinfo-cache-negative-ttl = 0
        narinfo-cache-positive-ttl = 0
        download-attempts = 1
        connect-timeout = 5
        fsync-metadata = false
        auto-optimise-store = false
        warn-dirty = false
        """;

    private NixPeer(string root)
    {
        Root = root;
        SecretKeyFile = Path.Combine(root, "keys", "sk");
        PublicKeyFile = Path.Combine(root, "keys", "pk");
        Environment = MakeConfigDirectory("etc", "");
    }

    /// <summary>The peer's private folder (configuration, keys, expressions).</summary>
    public string Root { get; }

    /// <summary>A Nix signing key made by <c>nix-store --generate-binary-cache-key</c>.</summary>
    public string SecretKeyFile { get; }

    public string PublicKeyFile { get; }

    /// <summary>The public key line (<c>name:base64</c>) of <see cref="SecretKeyFile"/>.</summary>
    public string PublicKey => File.ReadAllText(PublicKeyFile).Trim();

    /// <summary>Environment variables that make nix commands use this peer's configuration.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The shared peer of this test process, set up on first use (fails with a clear message if nix is missing).</summary>
    public static async Task<NixPeer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null)
            {
                var root = Path.Combine(Path.GetTempPath(), $"larder-nix-peer-{System.Environment.ProcessId}");
                Directory.CreateDirectory(Path.Combine(root, "keys"));
                var peer = new NixPeer(root);
                var version = await ProcessRunner.RunAsync("nix-store", ["--version"], new() { Environment = peer.Environment })
                    .ConfigureAwait(false);
                if (version.ExitCode != 0)
                {
                    throw new InvalidOperationException("nix-store is not usable: install Debian's nix-bin (eng/install-deps.sh does).\n" + version.Stderr);
                }
                if (!File.Exists(peer.SecretKeyFile))
                {
                    await peer.RunNixAsync("nix-store", "--generate-binary-cache-key", "larder-test-peer-1", peer.SecretKeyFile, peer.PublicKeyFile);
                }
                await File.WriteAllTextAsync(Path.Combine(root, "fib.nix"), ChainExpression);
                _shared = peer;
            }
            return _shared;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("nix-store is not installed: install Debian's nix-bin (eng/install-deps.sh does).", e);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Environment for nix commands whose nix.conf has <paramref name="extraNixConf"/> appended (e.g.
    /// <c>netrc-file = …</c>, <c>substituters = …</c>). Each call makes a new configuration directory.
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentWith(string extraNixConf) =>
        MakeConfigDirectory($"etc-{Guid.NewGuid():N}", extraNixConf);

    /// <summary>Runs a nix command with this peer's configuration, failing the test if it fails.</summary>
    public async Task<ProcessResult> RunNixAsync(string exe, params string[] args) =>
        (await TryRunNixAsync(Environment, exe, args)).EnsureSuccess();

    /// <summary>Runs a nix command with the given environment; the caller inspects the result.</summary>
    public static Task<ProcessResult> TryRunNixAsync(IReadOnlyDictionary<string, string> environment, string exe, params string[] args) =>
        ProcessRunner.RunAsync(exe, args, new ProcessOptions { Environment = environment, Timeout = TimeSpan.FromMinutes(3) });

    /// <summary>
    /// Builds a chain of <paramref name="n"/>+1 derivations (fib-0 … fib-n) in which each member's output refers to the
    /// two before it, and returns the output path of the last. A new <paramref name="salt"/> gives new store paths.
    /// </summary>
    public async Task<string> BuildChainAsync(int n, string salt)
    {
        var result = await RunNixAsync("nix-build", Path.Combine(Root, "fib.nix"), "--arg", "n", n.ToString(),
            "--argstr", "salt", salt, "--no-out-link");
        return result.Stdout.Trim();
    }

    /// <summary>The derivation (<c>.drv</c>) that produced <paramref name="outputPath"/>.</summary>
    public async Task<string> DeriverOfAsync(string outputPath) =>
        (await RunNixAsync("nix-store", "--query", "--deriver", outputPath)).Stdout.Trim();

    /// <summary>The closure of <paramref name="storePath"/> in the local store (<c>nix-store --query --requisites</c>).</summary>
    public async Task<string[]> ClosureAsync(string storePath) =>
        (await RunNixAsync("nix-store", "--query", "--requisites", storePath)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Writes a netrc file that gives <paramref name="password"/> for <paramref name="host"/> and returns its path.</summary>
    public string WriteNetrc(string host, string password, string login = "larder")
    {
        var path = Path.Combine(Root, $"netrc-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"machine {host}\nlogin {login}\npassword {password}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private IReadOnlyDictionary<string, string> MakeConfigDirectory(string name, string extraNixConf)
    {
        var confDir = Path.Combine(Root, name);
        Directory.CreateDirectory(confDir);
        File.WriteAllText(Path.Combine(confDir, "nix.conf"), BaseConfig + "\n" + extraNixConf + "\n");
        var cacheHome = Path.Combine(Root, "xdg-cache");
        Directory.CreateDirectory(cacheHome);
        return new Dictionary<string, string>
        {
            ["NIX_CONF_DIR"] = confDir,
            ["NIX_USER_CONF_FILES"] = "/dev/null",
            ["XDG_CACHE_HOME"] = cacheHome,
            ["NIX_REMOTE"] = "",
        };
    }

    private const string ChainExpression = """
        { n ? 6, salt ? "" }:
        let
          # a lazy list memoizes the chain: plain recursion would evaluate exponentially many calls
          fibs = builtins.genList mk (n + 1);
          mk = k: derivation {
            name = "fib-${toString k}";
            builder = "/bin/sh";
            system = builtins.currentSystem;
            PATH = "/usr/bin:/bin";
            inherit salt;
            args = [ "-c" (if k < 2 then "mkdir -p $out; echo ${toString k} > $out/value" else
              let a = builtins.elemAt fibs (k - 1); b = builtins.elemAt fibs (k - 2); in ''
                read x < ${a}/value; read y < ${b}/value
                mkdir -p $out; echo $((x + y)) > $out/value
                echo ${a} > $out/deps; echo ${b} >> $out/deps
              '') ];
          };
        in builtins.elemAt fibs n
        """;
}
