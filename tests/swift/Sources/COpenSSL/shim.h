/* The parts of libcrypto the platform-key stand-ins use: EVP keys and signatures and the
 * PKCS#1 public-key encoder i2d_PublicKey (evp.h), RSA key sizes (rsa.h), the
 * SubjectPublicKeyInfo encoder i2d_PUBKEY (x509.h) and the error queue (err.h). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
