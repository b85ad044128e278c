using System.Diagnostics;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// Certificates made by the <c>openssl</c> tool in a temporary folder, as an operator makes them: CAs, and node certificates
/// a CA signs (EC P-256, with both TLS uses, as every node accepts connections and makes them). The folder is deleted on
/// Dispose. Also compiled into Switchboard.Service.Tests, for the settings' tests.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string NodeUsages = "serverAuth,clientAuth";

    public string Folder { get; } = Directory.CreateTempSubdirectory("switchboard-tls").FullName;

    // The tool's own configuration (the system's openssl.cnf) is never read: what a certificate holds is all said here.
    private string Configuration => File("openssl.cnf");

    public TestCertificates() =>
        System.IO.File.WriteAllText(Configuration, "[req]\ndistinguished_name = name\nx509_extensions = authority\n[name]\n" +
                                                   "[authority]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n" +
                                                   "subjectKeyIdentifier = hash\n");

    public string File(string name) => Path.Combine(Folder, name);

    /// <summary>A self-signed CA: its certificate <c>{name}.crt</c>, which this returns, and its key <c>{name}.key</c>.</summary>
    public string Authority(string name)
    {
        OpenSsl("req", "-config", Configuration, "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
            "-subj", $"/CN={name}", "-keyout", File($"{name}.key"), "-out", File($"{name}.crt"));
        return File($"{name}.crt");
    }

    /// <summary>
    /// A certificate for 127.0.0.1 that the CA <paramref name="authority"/> (made by <see cref="Authority"/>) signs, with the
    /// extended key usages <paramref name="usages"/> (none when null): <c>{name}.crt</c> and its key <c>{name}.key</c> (PKCS#8 PEM),
    /// an EC P-256 key unless <paramref name="rsa"/>.
    /// </summary>
    public (string Certificate, string Key) Node(string name, string authority, string? usages = NodeUsages, bool rsa = false)
    {
        var extensions = File($"{name}.ext");
        System.IO.File.WriteAllText(extensions, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
                                                "subjectAltName=IP:127.0.0.1\nauthorityKeyIdentifier=keyid\n" +
                                                (usages is null ? "" : $"extendedKeyUsage={usages}\n"));
        OpenSsl(["req", "-config", Configuration, "-new", .. rsa ? new[] { "-newkey", "rsa:2048" } : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "-nodes", "-subj", $"/CN={name}", "-keyout", File($"{name}.key"), "-out", File($"{name}.csr")]);
        var ca = Path.ChangeExtension(authority, null);
        OpenSsl("x509", "-req", "-in", File($"{name}.csr"), "-CA", $"{ca}.crt", "-CAkey", $"{ca}.key", "-days", "30",
            "-set_serial", Random.Shared.NextInt64(1, long.MaxValue).ToString(), "-extfile", extensions, "-out", File($"{name}.crt"));
        return (File($"{name}.crt"), File($"{name}.key"));
    }

    /// <summary><paramref name="certificate"/>, with <paramref name="key"/> unless null, as a PKCS#12 file under <paramref name="password"/>.</summary>
    public string Pkcs12(string name, string certificate, string? key, string password)
    {
        var file = File($"{name}.p12");
        OpenSsl(["pkcs12", "-export", "-in", certificate, .. key is null ? new[] { "-nokeys" } : ["-inkey", key],
            "-passout", $"pass:{password}", "-out", file]);
        return file;
    }

    /// <summary><paramref name="key"/> as an encrypted PKCS#8 PEM under <paramref name="password"/>.</summary>
    public string EncryptedKey(string name, string key, string password)
    {
        var file = File($"{name}.key");
        OpenSsl("pkcs8", "-topk8", "-in", key, "-passout", $"pass:{password}", "-out", file);
        return file;
    }

    /// <summary>A file of the given files one after another, as PEM bundles are made.</summary>
    public string Concatenate(string name, params string[] files)
    {
        var file = File(name);
        System.IO.File.WriteAllText(file, string.Concat(files.Select(System.IO.File.ReadAllText)));
        return file;
    }

    public static void OpenSsl(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var openssl = Process.Start(info)!;
        var error = openssl.StandardError.ReadToEndAsync();
        openssl.StandardOutput.ReadToEnd();
        openssl.WaitForExit();
        if (openssl.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited with {openssl.ExitCode}: {error.Result}");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
