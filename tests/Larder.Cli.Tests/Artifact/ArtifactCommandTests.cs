using System.Text.Json;
using Larder.Contracts.Artifacts;

namespace Larder.Cli.Tests.Artifact;

/// <summary><c>larder artifact</c> with the real CLI and server: save, restore (fallbacks, mtimes, corruption), retention, keys.</summary>
public sealed class ArtifactCommandTests : IAsyncLifetime
{
    private readonly ArtifactServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A project folder with sources and a <c>build/</c> holding <paramref name="marker"/>.</summary>
    private string NewProject(string marker)
    {
        var project = _server.NewFolder("project");
        CProject.Write(project);
        Directory.CreateDirectory(Path.Combine(project, "build"));
        File.WriteAllText(Path.Combine(project, "build", "marker"), marker);
        return project;
    }

    private async Task SaveAsync(string key, string marker) =>
        (await _server.RunAsync(NewProject(marker), "artifact", "save", _server.Cache, key, "build")).EnsureSuccess();

    [Fact]
    public async Task A_restore_with_no_archive_under_any_key_is_a_cold_build_with_exit_0()
    {
        var result = await _server.RunAsync(_server.Root, "artifact", "restore", _server.Cache, "nothing", "--fallback", "nothing-either");

        result.EnsureSuccess();
        Assert.Contains("no archive under 'nothing', 'nothing-either': cold build", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "k-b", "k-c" }, "k-b")]
    [InlineData(new[] { "k-c", "k-b" }, "k-c")]
    public async Task A_restore_takes_the_first_fallback_that_has_an_archive(string[] fallbacks, string expected)
    {
        await SaveAsync("k-b", "from k-b");
        await SaveAsync("k-c", "from k-c");
        var target = _server.NewFolder("target");
        CProject.Write(target);

        var result = await _server.RunAsync(
            target, ["artifact", "restore", _server.Cache, "k-a", .. fallbacks.SelectMany(key => new[] { "--fallback", key })]);

        result.EnsureSuccess();
        Assert.Contains($"restored artifact '{expected}' (fallback for 'k-a')", result.Stdout, StringComparison.Ordinal);
        Assert.Equal($"from {expected}", File.ReadAllText(Path.Combine(target, "build", "marker")));
    }

    [Fact]
    public async Task A_restore_dates_artifacts_in_the_past_and_changed_sources_now()
    {
        await SaveAsync("dated", "artifact");
        var target = _server.NewFolder("target");
        CProject.Write(target, variantModule: 5, variant: 7);
        File.WriteAllText(Path.Combine(target, "src", "extra.c"), "int extra;\n");
        var before = DateTime.UtcNow.AddSeconds(-2);

        var result = await _server.RunAsync(target, "artifact", "restore", _server.Cache, "dated");

        result.EnsureSuccess();
        Assert.Contains("sources: 1 changed, 1 new, 0 removed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("changed: src/f05.c", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("new: src/extra.c", result.Stdout, StringComparison.Ordinal);
        var artifactTime = File.GetLastWriteTimeUtc(Path.Combine(target, "build", "marker"));
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(target, "src", "f05.c")) >= before);
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(target, "src", "extra.c")) >= before);
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(target, "src", "f06.c")) < artifactTime, "an unchanged source looks older than the artifacts");
        Assert.True(artifactTime < before.AddYears(-1));
    }

    [Fact]
    public async Task A_corrupt_archive_fails_the_restore_and_leaves_the_directory_as_it_was()
    {
        await SaveAsync("corrupt", "saved");
        _server.TamperWithEveryChunk();
        var target = NewProject("mine, before the restore");

        var result = await _server.RunAsync(target, "artifact", "restore", _server.Cache, "corrupt");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is corrupt", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine, before the restore", File.ReadAllText(Path.Combine(target, "build", "marker")));
        Assert.Equal(["build", "src"], Directory.GetDirectories(target).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Retention_keeps_the_last_N_uploads_per_key()
    {
        (await _server.RunAsync(_server.Root, "artifact", "retention", _server.Cache, "--keep-per-key", "2")).EnsureSuccess();
        for (var i = 0; i < 3; i++)
        {
            await SaveAsync("rolling", $"upload {i}");
        }
        await SaveAsync("steady", "once");

        var list = JsonSerializer.Deserialize(
            (await _server.RunAsync(_server.Root, "artifact", "list", _server.Cache, "--json")).EnsureSuccess().Stdout,
            ArtifactJsonContext.Default.ArtifactListDto)!;

        Assert.Equal(2, list.Artifacts.Count(a => a.Key == "rolling"));
        Assert.Single(list.Artifacts, a => a.Key == "steady");
        var target = _server.NewFolder("target");
        (await _server.RunAsync(target, "artifact", "restore", _server.Cache, "rolling")).EnsureSuccess();
        Assert.Equal("upload 2", File.ReadAllText(Path.Combine(target, "build", "marker")));
    }

    [Fact]
    public async Task Rm_deletes_every_upload_of_a_key()
    {
        await SaveAsync("gone", "x");

        (await _server.RunAsync(_server.Root, "artifact", "rm", _server.Cache, "gone")).EnsureSuccess();

        var restore = (await _server.RunAsync(_server.Root, "artifact", "restore", _server.Cache, "gone")).EnsureSuccess();
        Assert.Contains("cold build", restore.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../up", "contains '/'")]
    [InlineData("a..b", "contains '..'")]
    [InlineData("/abs", "contains '/'")]
    [InlineData("-dash", "must start with a letter or digit")]
    public async Task Keys_with_path_tricks_are_refused_before_anything_is_sent(string key, string problem)
    {
        var result = await _server.RunAsync(NewProject("x"), "artifact", "save", _server.Cache, key, "build");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(problem, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_refuses_a_directory_outside_the_current_one()
    {
        var result = await _server.RunAsync(NewProject("x"), "artifact", "save", _server.Cache, "outside", "../");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is not inside", result.Stderr, StringComparison.Ordinal);
    }
}
