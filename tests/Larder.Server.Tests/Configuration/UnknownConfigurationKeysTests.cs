using Larder.Server.Configuration;
using Microsoft.Extensions.Configuration;

namespace Larder.Server.Tests.Configuration;

public sealed class UnknownConfigurationKeysTests
{
    private static IReadOnlyList<string> WarningsFor(params (string Key, string Value)[] settings) =>
        UnknownConfigurationKeys.Find(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Theory]
    [InlineData("Larder:MaxUplodBytes", "Larder:MaxUploadBytes")]
    [InlineData("Larder:Storage:S3:Bucke", "Larder:Storage:S3:Bucket")]
    [InlineData("Larder:Maintenance:StagedUploadTTLs", "Larder:Maintenance:StagedUploadTtl")]
    [InlineData("Larder:Databse:Kind", "Larder:Database:Kind")]
    public void A_misspelt_key_is_named_with_the_closest_known_key(string key, string closest)
    {
        var warning = Assert.Single(WarningsFor((key, "1")));
        Assert.Equal($"unknown configuration key '{key}' is ignored (did you mean '{closest}'?)", warning);
    }

    [Fact]
    public void A_key_like_no_known_one_gets_no_suggestion()
    {
        Assert.Equal(["unknown configuration key 'Larder:Frobnicate:Everything' is ignored"], WarningsFor(("Larder:Frobnicate:Everything", "1")));
    }

    [Fact]
    public void Every_known_key_in_any_case_and_list_entries_are_accepted()
    {
        Assert.Empty(WarningsFor(
            ("Larder:DataDir", "/d"),
            ("larder:listen", "127.0.0.1:1"),
            ("Larder:ConfigFile", "/c.json"),
            ("Larder:Database:ConnectionString", "x"),
            ("Larder:Storage:S3:PresignedDownloads", "true"),
            ("Larder:Storage:Folder:Path", "/b"),
            ("Larder:Maintenance:CleanupInterval", "00:01:00"),
            ("Larder:TrustedProxies:0", "10.0.0.1"),
            ("Larder:TrustedProxies:1", "10.0.0.0/8")));
    }

    [Fact]
    public void Keys_outside_the_Larder_section_are_not_checked()
    {
        Assert.Empty(WarningsFor(("Logging:LogLevel:Default", "Debug"), ("PATH", "/bin")));
    }
}
