-- CreateTable
CREATE TABLE "oauth_provider_settings" (
    "provider" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "clientId" TEXT NOT NULL,
    "secretCiphertext" BYTEA NOT NULL,
    "secretKeyId" TEXT NOT NULL,
    "tenant" TEXT,
    "issuer" TEXT,
    "authorizationEndpoint" TEXT,
    "tokenEndpoint" TEXT,
    "revocationEndpoint" TEXT,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" UUID,

    CONSTRAINT "oauth_provider_settings_pkey" PRIMARY KEY ("provider")
);
