using Larder.Testing;

namespace Larder.Cli.Tests.Artifact;

/// <summary>
/// A real <c>larder serve</c> of its own (so a test may tamper with its blobs) with one private cache, the admin token in
/// a file, and the real <c>larder</c> CLI run in a chosen working directory.
/// </summary>
public sealed class ArtifactServer : IAsyncLifetime
{
    private readonly TempDirectory _root = new("larder-artifacts");

    public LarderServerProcess Server { get; private set; } = null!;

    public string Root => _root.Path;

    public string Cache { get; } = $"art-{Guid.NewGuid():N}"[..16];

    /// <summary>A file holding the admin token (read by <c>--token-file</c>).</summary>
    public string TokenFile => Path.Combine(Root, "token");

    public async Task InitializeAsync()
    {
        // Small archives would otherwise be kept inline in the database, not as files a test can tamper with.
        Server = await LarderServerProcess.StartAsync(Path.Combine(Root, "data"), ["--Larder:Storage:InlineThreshold=0"]);
        await File.WriteAllTextAsync(TokenFile, Server.AdminToken + "\n");
        // Only the artifact commands read LARDER_TOKEN_FILE.
        (await RunAsync(Root, Server.AdminToken, ["cache", "create", Cache])).EnsureSuccess();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>A fresh folder under this server's root.</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(Root, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs <c>larder ARGS</c> in <paramref name="workingDirectory"/>, talking to this server with the token from <see cref="TokenFile"/>.</summary>
    public Task<ProcessResult> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, "", args);

    private Task<ProcessResult> RunAsync(string workingDirectory, string token, string[] args) =>
        LarderExecutable.RunAsync(args, new ProcessOptions
        {
            WorkingDirectory = workingDirectory,
            Environment = new Dictionary<string, string>
            {
                ["LARDER_CONFIG"] = Path.Combine(Root, "cli-config.json"),
                ["LARDER_SERVER"] = Server.BaseUrl,
                ["LARDER_TOKEN"] = token,
                ["LARDER_TOKEN_FILE"] = TokenFile,
            },
            Timeout = TimeSpan.FromMinutes(3),
        });

    /// <summary>Flips a byte in the middle of every stored chunk: every archive (and NAR) of this server is now corrupt.</summary>
    public void TamperWithEveryChunk()
    {
        var chunks = Directory.GetFiles(Path.Combine(Server.DataDirectory, "blobs", "chunks"), "*.zst", SearchOption.AllDirectories);
        Assert.NotEmpty(chunks);
        foreach (var chunk in chunks)
        {
            var bytes = File.ReadAllBytes(chunk);
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(chunk, bytes);
        }
    }
}
