using Larder.Server.Configuration;
using Larder.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Tests.Configuration;

public sealed class LarderServerConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new("larder-config");

    private LarderOptions OptionsFor(params string[] args)
    {
        var builder = LarderServer.CreateBuilder(args);
        return builder.Configuration.GetSection(LarderOptions.Section).Get<LarderOptions>()!;
    }

    [Fact]
    public void Defaults_listen_on_loopback_5180_with_sqlite_and_a_folder()
    {
        var options = OptionsFor("--data", _dir.Path);
        Assert.Equal("127.0.0.1:5180", options.Listen);
        Assert.Equal(64L << 30, options.MaxUploadBytes);
        Assert.Equal("sqlite", options.Database.Kind);
        Assert.Equal("folder", options.Storage.Kind);
        Assert.Equal(TimeSpan.FromHours(1), options.Maintenance.StagedUploadTtl);
        Assert.Equal(_dir.Path, options.DataDir);
    }

    [Fact]
    public void A_relative_data_directory_becomes_absolute()
    {
        var options = OptionsFor("--data", Path.GetRelativePath(Environment.CurrentDirectory, _dir.Path));
        Assert.Equal(_dir.Path, options.DataDir);
    }

    [Fact]
    public void Later_sources_win_data_dir_file_then_config_file_then_command_line()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "larder.json"), """
            {"Larder": {"MaxUploadBytes": 111, "PublicUrl": "https://from-data-dir", "Maintenance": {"StagedUploadTtl": "00:10:00"}}}
            """);
        var config = Path.Combine(_dir.Path, "extra.json");
        File.WriteAllText(config, """{"Larder": {"MaxUploadBytes": 222, "Listen": "127.0.0.1:6001"}}""");

        var fromFiles = OptionsFor("--data", _dir.Path, "--config", config);
        var fromCommandLine = OptionsFor("--data", _dir.Path, "--config", config, "--Larder:MaxUploadBytes=333", "--listen", "127.0.0.1:6002");

        Assert.Equal(222, fromFiles.MaxUploadBytes);
        Assert.Equal("127.0.0.1:6001", fromFiles.Listen);
        Assert.Equal("https://from-data-dir", fromFiles.PublicUrl);
        Assert.Equal(TimeSpan.FromMinutes(10), fromFiles.Maintenance.StagedUploadTtl);
        Assert.Equal(333, fromCommandLine.MaxUploadBytes);
        Assert.Equal("127.0.0.1:6002", fromCommandLine.Listen);
    }

    [Fact]
    public void Environment_variables_set_keys()
    {
        // A key no other test reads, so parallel tests are unaffected.
        Environment.SetEnvironmentVariable("Larder__Maintenance__AccessFlushInterval", "00:00:09");
        try
        {
            Assert.Equal(TimeSpan.FromSeconds(9), OptionsFor("--data", _dir.Path).Maintenance.AccessFlushInterval);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Larder__Maintenance__AccessFlushInterval", null);
        }
    }

    [Theory]
    [InlineData("--Larder:Database:Kind=mysql", "unknown Larder:Database:Kind 'mysql'")]
    [InlineData("--Larder:Storage:Kind=tape", "unknown Larder:Storage:Kind 'tape'")]
    [InlineData("--Larder:MaxUploadBytes=0", "Larder:MaxUploadBytes must be positive")]
    [InlineData("--Larder:Maintenance:StagedUploadTtl=-00:01:00", "Larder:Maintenance:StagedUploadTtl must be a positive duration")]
    [InlineData("--Larder:Listen=nowhere", "invalid listen address 'nowhere'")]
    [InlineData("--Larder:MaxUploadBytes=lots", "Larder:MaxUploadBytes")]
    [InlineData("--Larder:Chunking:MinSize=10", "Larder:Chunking:MinSize: chunk MinSize 10 is below 64 bytes")]
    [InlineData("--Larder:Chunking:AverageSize=1000000", "Larder:Chunking:AverageSize: chunk AverageSize 1000000 must be a power of two")]
    [InlineData("--Larder:Chunking:MaxSize=262144", "Larder:Chunking:MaxSize: chunk MaxSize 262144 must be above AverageSize")]
    [InlineData("--Larder:Chunking:PackSize=1000", "Larder:Chunking:PackSize: 1000 is out of range")]
    [InlineData("--Larder:Chunking:DerivedListingThreshold=2000000", "Larder:Chunking:DerivedListingThreshold: 2000000 is out of range")]
    [InlineData("--Larder:Chunking:DerivedListingThreshold=-1", "Larder:Chunking:DerivedListingThreshold: -1 is out of range")]
    [InlineData("--Larder:Chunking:SingleChunkThreshold=-1", "Larder:Chunking:SingleChunkThreshold: SingleChunkThreshold -1 must be between 0")]
    [InlineData("--Larder:Storage:InlineThreshold=2000000", "Larder:Storage:InlineThreshold: 2000000 is out of range")]
    [InlineData("--Larder:Storage:SharedPackThreshold=-1", "Larder:Storage:SharedPackThreshold: -1 is out of range")]
    [InlineData("--Larder:Storage:SharedPackThreshold=5000000", "Larder:Storage:SharedPackThreshold: 5000000 is out of range: 0 (store each upload's pack alone) to 4194304 (4 MiB)")]
    public void Invalid_settings_fail_at_start_up_naming_the_key(string arg, string message)
    {
        var e = Assert.Throws<LarderConfigurationException>(() => LarderServer.CreateBuilder(["--data", _dir.Path, arg]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var missing = Path.Combine(_dir.Path, "nope.json");
        var e = Assert.Throws<LarderConfigurationException>(() => LarderServer.CreateBuilder(["--data", _dir.Path, "--config", missing]));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_config_file_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "larder.json"), "{ not json");
        var e = Assert.Throws<LarderConfigurationException>(() => LarderServer.CreateBuilder(["--data", _dir.Path]));
        Assert.Contains("larder.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_start_writes_an_admin_token_file_with_mode_0600_and_later_starts_keep_it()
    {
        string firstToken;
        await using (var first = await LarderApplication.StartAsync(_dir.Path))
        {
            firstToken = first.AdminToken;
        }
        var file = Path.Combine(_dir.Path, "admin-token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        await using var second = await LarderApplication.StartAsync(_dir.Path);

        Assert.Equal(firstToken, second.AdminToken);
        var tokens = await second.Metadata.ListTokensAsync(CancellationToken.None);
        Assert.Single(tokens);
        using var client = second.CreateClient(firstToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("api/v1/whoami")).StatusCode);
        Assert.Equal(_dir.Path, second.Services.GetRequiredService<IOptions<LarderOptions>>().Value.DataDir);
    }

    [Fact]
    public async Task The_larder_serve_process_starts_serves_and_stops_on_SIGTERM()
    {
        await using var server = await LarderServerProcess.StartAsync(_dir.Path);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", server.AdminToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("api/v1/whoami")).StatusCode);
        Assert.Contains(server.AdminToken, server.Output, StringComparison.Ordinal);
        Assert.Contains($"listening on http://127.0.0.1:{server.Port}", server.Output, StringComparison.Ordinal);

        await server.StopAsync();
        Assert.True(server.HasExited);
    }

    [Theory]
    [InlineData("--Larder:MaxUploadBytes=1000")]
    [InlineData("--Larder:MaxUploadBytes", "1000")]
    public async Task Serve_passes_configuration_keys_through(params string[] extra)
    {
        await using var server = await LarderServerProcess.StartAsync(_dir.Path, extra);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.AdminToken);

        var body = $$"""{"name": "{{new string('a', 5000)}}"}""";
        using var response = await client.PostAsync("api/v1/caches", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("unknown argument 'stray'", "stray")]
    [InlineData("needs a value", "--Larder:MaxUploadBytes")]
    [InlineData("unknown Larder:Database:Kind 'mysql'", "--Larder:Database:Kind=mysql")]
    public async Task Serve_refuses_bad_arguments_with_a_clear_error(string message, params string[] extra)
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => LarderServerProcess.StartAsync(_dir.Path, extra));
        Assert.Contains($"error: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosting_request_diagnostics_are_off_unless_configured()
    {
        // While this category logs at any level, hosting starts an Activity and a log scope for every request.
        const string category = "Microsoft.AspNetCore.Hosting.Diagnostics";
        await using var byDefault = LarderServer.Build(["--data", _dir.Path]);
        await using var configured = LarderServer.Build(["--data", _dir.Path, $"--Logging:LogLevel:{category}=Information"]);

        Assert.False(byDefault.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Critical));
        Assert.True(configured.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Information));
    }

    public void Dispose() => _dir.Dispose();
}
