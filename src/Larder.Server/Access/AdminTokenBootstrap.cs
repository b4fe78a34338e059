using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// On the first start creates an admin token (all permissions on <c>*</c>) and writes its secret to
/// <c>DATA/admin-token</c> with mode 0600. First start happens once per database: replicas starting together on an
/// empty database race for one row (<see cref="IMetadataStore.InitializeOnceAsync"/>); the losers, and later starts,
/// do nothing.
/// </summary>
public static class AdminTokenBootstrap
{
    /// <summary>The file name, in the data directory.</summary>
    public const string FileName = "admin-token";

    /// <summary>The secret when one was created now, else null.</summary>
    public static async Task<string?> EnsureAsync(IMetadataStore store, string dataDir, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var secret = TokenSecrets.Generate();
        var admin = NewAdminToken("admin (created at first start)", secret, time.GetUtcNow(), null);
        // The file is written inside the transaction that creates the token: a crash in between leaves a useless
        // file, never an unknown admin token; a replica that lost the race writes nothing.
        var created = await store.InitializeOnceAsync(
            admin, ct => WriteSecretFileAsync(Path.Combine(dataDir, FileName), secret, ct), cancellationToken).ConfigureAwait(false);
        return created ? secret : null;
    }

    /// <summary>A new token with every permission on <c>*</c>, created by no other token.</summary>
    public static TokenRecord NewAdminToken(string description, string secret, DateTimeOffset now, DateTimeOffset? expiresAt) =>
        new(0, description, TokenSecrets.Hash(secret), [new TokenGrant("*", Permission.Read | Permission.Write | Permission.Delete | Permission.Admin)],
            now, expiresAt, null);

    private static async Task WriteSecretFileAsync(string path, string secret, CancellationToken cancellationToken)
    {
        var fileOptions = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var file = new FileStream(path, fileOptions))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(secret.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
