using System.Net.Http.Json;
using Larder.Server.Configuration;
using Larder.Testing;

namespace Larder.Server.Tests.Configuration;

public sealed class DataDirectoryPermissionsTests : IDisposable
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly TempDirectory _root = new("larder-perms");

    [Fact]
    public async Task A_new_data_directory_and_its_database_are_private_to_the_server_user()
    {
        var data = Path.Combine(_root.Path, "fresh", "data");
        await using (var app = await LarderApplication.StartAsync(data))
        {
            await app.CreateCacheAsync("private-keys");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            foreach (var file in new[] { "larder.db", "larder.db-wal", "larder.db-shm", "admin-token" })
            {
                var path = Path.Combine(data, file);
                Assert.True(File.Exists(path), $"{file} exists");
                Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & GroupOrOther);
            }
        }
        Assert.Empty(DataDirectoryPermissions.FindExposed(data));
    }

    [Fact]
    public void An_exposed_directory_and_file_are_reported_with_the_fix()
    {
        var data = Path.Combine(_root.Path, "exposed");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, (UnixFileMode)Convert.ToInt32("755", 8));
        var database = Path.Combine(data, "larder.db");
        File.WriteAllText(database, "");
        File.SetUnixFileMode(database, (UnixFileMode)Convert.ToInt32("644", 8));
        var secret = Path.Combine(data, "admin-token");
        File.WriteAllText(secret, "x");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var warnings = DataDirectoryPermissions.FindExposed(data);

        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith($"'{data}' is accessible to other users (mode 0755)", StringComparison.Ordinal)
            && w.EndsWith($"run 'chmod -R go= {data}'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"'{database}' is accessible to other users (mode 0644)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_existing_data_directory_keeps_its_mode()
    {
        var data = Path.Combine(_root.Path, "existing");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, (UnixFileMode)Convert.ToInt32("750", 8));

        DataDirectoryPermissions.CreateDirectory(data);

        Assert.Equal((UnixFileMode)Convert.ToInt32("750", 8), File.GetUnixFileMode(data));
    }

    public void Dispose() => _root.Dispose();
}
