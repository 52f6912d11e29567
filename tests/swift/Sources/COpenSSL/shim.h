/* The parts of libcrypto the container tests use: EVP keys and signatures (evp.h), the
 * SubjectPublicKeyInfo encoder i2d_PUBKEY (x509.h) and the error queue (err.h). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
