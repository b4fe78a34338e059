namespace Larder.Testing;

/// <summary>
/// The external services that <c>eng/test.sh</c> starts on 127.0.0.1 and announces through environment variables.
/// A test that needs one fails (never skips) when it is missing.
/// </summary>
public static class TestServices
{
    /// <summary>An Npgsql connection string to a PostgreSQL server on which tests may create databases.</summary>
    public static string PostgresConnectionString => Require("LARDER_TEST_POSTGRES", "PostgreSQL");

    /// <summary>An S3 endpoint (Ceph radosgw) on which tests may create buckets.</summary>
    public static S3Endpoint S3 => new(
        Require("LARDER_TEST_S3_URL", "Ceph radosgw"),
        Require("LARDER_TEST_S3_ACCESS_KEY", "Ceph radosgw"),
        Require("LARDER_TEST_S3_SECRET_KEY", "Ceph radosgw"));

    private static string Require(string variable, string service) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: this test needs {service}. Run the tests with eng/test.sh, which installs and starts it.");
}

/// <summary>Where and how to reach an S3-compatible object store.</summary>
public sealed record S3Endpoint(string ServiceUrl, string AccessKey, string SecretKey);
