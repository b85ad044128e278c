using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Setting = Switchboard.Service.Remoting.ClusterTlsSettingsLoader.Setting;

namespace Switchboard.Service.Remoting;

/// <summary>
/// Reads the files of <c>Cluster:Tls</c>: the node's certificate as PEM (its key in the same file or in <c>Key</c>, encrypted
/// or not) or PKCS#12, and the CA certificates. What cannot be used becomes a problem naming the setting, never an exception,
/// so that one start reports them all; .NET's own messages for a bad key say little, so each case is told apart here.
/// </summary>
internal static class NodeCertificateFiles
{
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", EncryptedKeyLabel];
    private const string EncryptedKeyLabel = "ENCRYPTED PRIVATE KEY";

    public static X509Certificate2? ReadCertificate(Setting certificate, Setting? key, string? password, List<string> problems)
    {
        if (ReadBytes(certificate, problems) is not { } bytes)
            return null;
        if (PemText(bytes) is { } pem)
            return FromPem(certificate, pem, key, password, problems);
        if (!IsPkcs12(bytes))
        {
            problems.Add($"{certificate}: neither PEM nor PKCS#12 (.pfx, .p12)");
            return null;
        }
        if (key is not null)
            problems.Add($"{key.Source} is for a PEM certificate, but {certificate} is not PEM (a PKCS#12 file holds its own key): remove it");
        return FromPkcs12(certificate, bytes, password, problems);
    }

    public static IReadOnlyList<X509Certificate2> ReadAuthorities(Setting ca, List<string> problems)
    {
        if (ReadBytes(ca, problems) is not { } bytes)
            return [];
        var authorities = new X509Certificate2Collection();
        try
        {
            if (PemText(bytes) is { } pem)
                authorities.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            problems.Add($"{ca}: a certificate in it cannot be read ({e.Message})");
            return [];
        }
        if (authorities.Count == 0)
            problems.Add($"{ca}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return [.. authorities];
    }

    private static X509Certificate2? FromPem(Setting certificate, string pem, Setting? key, string? password, List<string> problems)
    {
        if (Blocks(pem, "CERTIFICATE").FirstOrDefault() is not { } certificatePem)
        {
            problems.Add($"{certificate}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return null;
        }
        X509Certificate2 bare;
        try
        {
            bare = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            problems.Add($"{certificate}: its certificate cannot be read ({e.Message})");
            return null;
        }
        using var owned = bare;
        var keySetting = key ?? certificate;
        var keyText = key is null ? pem : ReadBytes(key, problems) is { } keyBytes ? PemText(keyBytes) ?? "" : null;
        if (keyText is null)
            return null;
        if (Blocks(keyText, KeyLabels).FirstOrDefault() is not { } keyPem)
        {
            problems.Add(key is null
                ? $"{certificate}: holds no private key; set {ClusterTlsSettingsLoader.Describe("Key")} to the PEM file of its key"
                : $"{key}: holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
            return null;
        }
        var encrypted = keyPem.StartsWith($"-----BEGIN {EncryptedKeyLabel}-----", StringComparison.Ordinal);
        if (encrypted && password is null)
        {
            problems.Add($"{keySetting}: the key is encrypted; set {ClusterTlsSettingsLoader.Describe("Password")}");
            return null;
        }
        return WithKey(bare, keyPem, encrypted ? password : null, certificate, keySetting, problems);
    }

    private static X509Certificate2? WithKey(X509Certificate2 bare, string keyPem, string? password, Setting certificate, Setting keySetting,
        List<string> problems)
    {
        AsymmetricAlgorithm? key = bare.GetRSAPublicKey() is not null ? RSA.Create()
            : bare.GetECDsaPublicKey() is not null ? ECDsa.Create()
            : null;
        if (key is null)
        {
            problems.Add($"{certificate}: the certificate's key is neither RSA nor ECDSA");
            return null;
        }
        using (key)
        {
            var kind = key is RSA ? "RSA" : "EC";
            try
            {
                if (password is null)
                    key.ImportFromPem(keyPem);
                else
                    key.ImportFromEncryptedPem(keyPem, password);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                problems.Add(password is null
                    ? $"{keySetting}: not a readable {kind} private key (the certificate's key is {kind})"
                    : $"{keySetting}: cannot be decrypted with {ClusterTlsSettingsLoader.Describe("Password")} (a wrong password), or is not " +
                      $"an {kind} key as the certificate's is");
                return null;
            }
            try
            {
                return key is RSA rsa ? bare.CopyWithPrivateKey(rsa) : bare.CopyWithPrivateKey((ECDsa)key);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                problems.Add($"{keySetting}: not the private key of the certificate in {certificate}");
                return null;
            }
        }
    }

    private static X509Certificate2? FromPkcs12(Setting certificate, byte[] bytes, string? password, List<string> problems)
    {
        X509Certificate2 loaded;
        try
        {
            loaded = X509CertificateLoader.LoadPkcs12(bytes, password);
        }
        catch (CryptographicException)
        {
            problems.Add(password is null
                ? $"{certificate}: cannot be opened without a password; set {ClusterTlsSettingsLoader.Describe("Password")}"
                : $"{certificate}: cannot be opened with {ClusterTlsSettingsLoader.Describe("Password")}: a wrong password, or a damaged file");
            return null;
        }
        if (loaded.HasPrivateKey)
            return loaded;
        problems.Add($"{certificate}: holds no private key for its certificate ({loaded.Subject})");
        return null;
    }

    private static bool IsPkcs12(byte[] bytes)
    {
        try
        {
            return X509Certificate2.GetCertContentType(bytes) == X509ContentType.Pkcs12;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[]? ReadBytes(Setting file, List<string> problems)
    {
        try
        {
            return File.ReadAllBytes(file.Value);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add($"{file}: no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{file}: cannot be read ({e.Message})");
        }
        return null;
    }

    // PEM is text with armoured blocks; PKCS#12 is DER, which never holds this marker.
    private static string? PemText(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Contains("-----BEGIN ", StringComparison.Ordinal) ? text : null;
    }

    /// <summary>The PEM blocks of <paramref name="text"/> with one of <paramref name="labels"/>, whole, in order.</summary>
    private static IEnumerable<string> Blocks(string text, params string[] labels)
    {
        var offset = 0;
        while (offset < text.Length && PemEncoding.TryFind(text.AsSpan(offset), out var fields))
        {
            var block = text.Substring(offset + fields.Location.Start.Value, fields.Location.End.Value - fields.Location.Start.Value);
            var label = text.Substring(offset + fields.Label.Start.Value, fields.Label.End.Value - fields.Label.Start.Value);
            if (labels.Contains(label))
                yield return block;
            offset += fields.Location.End.Value;
        }
    }
}
