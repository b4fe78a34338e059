using Larder.Cli.Tests.Key;
using Larder.Server.Access;
using Larder.Server.Metadata.Sqlite;
using Larder.Testing;

namespace Larder.Cli.Tests.Migrate;

/// <summary>
/// The tools that open a server's data directory (<c>migrate</c>, <c>admin verify</c>) refuse one without Larder's data
/// instead of creating an empty one, unless <c>migrate --create</c> is asked to.
/// </summary>
public sealed class DataDirectoryCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("larder-datadir");

    public static TheoryData<string[], bool> Commands => new()
    {
        { ["migrate"], false },
        { ["migrate"], true },
        { ["admin", "verify"], false },
        { ["admin", "verify"], true },
        { ["admin", "create-token"], false },
        { ["admin", "create-token"], true },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_data_directory_without_a_database_is_refused_and_nothing_is_created(string[] command, bool directoryExists)
    {
        var data = Path.Combine(_dir.Path, "wrong");
        if (directoryExists)
        {
            Directory.CreateDirectory(data);
        }

        var result = await LarderKeyCli.RunAsync([.. command, "--data", data]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"no Larder data at {data}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--create", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(directoryExists, Directory.Exists(data));
        Assert.False(File.Exists(Path.Combine(data, "larder.db")));
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("admin", "verify")]
    [InlineData("admin", "create-token")]
    public async Task Without_data_the_default_directory_is_not_created(params string[] command)
    {
        var result = await LarderExecutable.RunAsync(command,
            new ProcessOptions { WorkingDirectory = _dir.Path, Environment = new Dictionary<string, string> { ["LARDER_DATA"] = "" } });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no Larder data at", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "larder-data")));
    }

    [Fact]
    public async Task Migrate_create_sets_up_a_new_data_directory_that_verify_then_accepts()
    {
        var data = Path.Combine(_dir.Path, "new");

        var created = (await LarderKeyCli.RunAsync("migrate", "--data", data, "--create")).EnsureSuccess();
        var migratedAgain = (await LarderKeyCli.RunAsync("migrate", "--data", data)).EnsureSuccess();
        var verified = (await LarderKeyCli.RunAsync("admin", "verify", "--data", data)).EnsureSuccess();

        Assert.StartsWith("sqlite schema version ", created.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("schema version 0", created.Stdout, StringComparison.Ordinal);
        Assert.Equal(created.Stdout, migratedAgain.Stdout);
        Assert.True(File.Exists(Path.Combine(data, "larder.db")));
        Assert.True(Directory.Exists(Path.Combine(data, "blobs")));
        Assert.Contains("checked 0 NARs", verified.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_create_token_prints_a_new_admin_secret_once_that_the_store_knows()
    {
        var data = Path.Combine(_dir.Path, "recover");
        (await LarderKeyCli.RunAsync("migrate", "--data", data, "--create")).EnsureSuccess();

        var result = (await LarderKeyCli.RunAsync("admin", "create-token", "--data", data, "--description", "recovery", "--expires", "1d"))
            .EnsureSuccess();

        var secret = result.Stdout.Trim();
        Assert.StartsWith("larder_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Stderr, StringComparison.Ordinal);
        using var store = SqliteMetadataStore.ForFile(Path.Combine(data, "larder.db"));
        var token = await store.GetTokenBySecretHashAsync(TokenSecrets.Hash(secret), CancellationToken.None);
        Assert.NotNull(token);
        Assert.Equal("recovery", token.Description);
        Assert.True(Grants.IsGlobalAdmin(token.Grants));
        Assert.Null(token.CreatedBy);
        Assert.InRange(token.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
    }

    public void Dispose() => _dir.Dispose();
}
