-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateEnum
CREATE TYPE "MagicLinkPurpose" AS ENUM ('API_KEY');

-- CreateEnum
CREATE TYPE "EnvironmentStatus" AS ENUM ('CREATING', 'ACTIVE', 'DELETING', 'FAILED');

-- CreateEnum
CREATE TYPE "PublicStatus" AS ENUM ('NONE', 'PENDING_CERT', 'ACTIVE', 'CERT_FAILED', 'REMOVING');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('PENDING', 'PULLING_IMAGE', 'CREATING_VOLUMES', 'STARTING_CONTAINERS', 'RUNNING', 'FAILED', 'SUPERSEDED', 'REMOVING', 'REMOVED');

-- CreateEnum
CREATE TYPE "DeploymentKind" AS ENUM ('CREATE', 'UPDATE', 'ROLLBACK', 'SCALE', 'RESTART');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "telegramId" BIGINT,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "notifications" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "keyId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT[],
    "environmentIds" UUID[],
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" UUID NOT NULL,
    "parentKeyId" UUID,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MagicLink" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "purpose" "MagicLinkPurpose" NOT NULL,
    "keyName" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" UUID NOT NULL,

    CONSTRAINT "MagicLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "action" TEXT NOT NULL,
    "userId" UUID,
    "keyId" TEXT,
    "environmentId" UUID,
    "ip" TEXT,
    "detail" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "networkName" TEXT NOT NULL,
    "networkId" TEXT,
    "status" "EnvironmentStatus" NOT NULL DEFAULT 'CREATING',
    "publicDomain" TEXT,
    "publicService" TEXT,
    "publicPort" INTEGER,
    "publicStatus" "PublicStatus" NOT NULL DEFAULT 'NONE',
    "certError" TEXT,
    "certIssuedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "ownerId" UUID NOT NULL,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Volume" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "dockerName" TEXT NOT NULL,
    "nodeId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "environmentId" UUID NOT NULL,

    CONSTRAINT "Volume_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" UUID NOT NULL,
    "jobId" TEXT NOT NULL,
    "kind" "DeploymentKind" NOT NULL DEFAULT 'CREATE',
    "serviceName" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT,
    "replicas" INTEGER NOT NULL,
    "ports" JSONB NOT NULL DEFAULT '[]',
    "resources" JSONB NOT NULL DEFAULT '{}',
    "volumes" JSONB NOT NULL DEFAULT '[]',
    "healthcheck" JSONB,
    "command" JSONB,
    "envVars" JSONB NOT NULL DEFAULT '[]',
    "registryAuth" TEXT,
    "idempotencyKey" TEXT,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'PENDING',
    "errorMessage" TEXT,
    "warnings" TEXT[],
    "serviceId" TEXT,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdById" UUID,
    "environmentId" UUID NOT NULL,
    "previousDeploymentId" UUID,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Container" (
    "id" UUID NOT NULL,
    "taskId" TEXT NOT NULL,
    "nodeId" TEXT,
    "slot" INTEGER,
    "state" TEXT NOT NULL,
    "desiredState" TEXT,
    "health" TEXT,
    "exitCode" INTEGER,
    "error" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deploymentId" UUID NOT NULL,

    CONSTRAINT "Container_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentEvent" (
    "id" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "status" "DeploymentStatus",
    "message" TEXT NOT NULL,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deploymentId" UUID NOT NULL,

    CONSTRAINT "DeploymentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_telegramId_key" ON "User"("telegramId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyId_key" ON "ApiKey"("keyId");

-- CreateIndex
CREATE INDEX "ApiKey_userId_createdAt_idx" ON "ApiKey"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "MagicLink_tokenHash_key" ON "MagicLink"("tokenHash");

-- CreateIndex
CREATE INDEX "MagicLink_userId_createdAt_idx" ON "MagicLink"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_userId_createdAt_idx" ON "AuditEvent"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_idx" ON "AuditEvent"("action", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_slug_key" ON "Environment"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_networkName_key" ON "Environment"("networkName");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_publicDomain_key" ON "Environment"("publicDomain");

-- CreateIndex
CREATE INDEX "Environment_ownerId_id_idx" ON "Environment"("ownerId", "id");

-- CreateIndex
CREATE INDEX "Environment_status_idx" ON "Environment"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_ownerId_name_key" ON "Environment"("ownerId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Volume_dockerName_key" ON "Volume"("dockerName");

-- CreateIndex
CREATE UNIQUE INDEX "Volume_environmentId_name_key" ON "Volume"("environmentId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_jobId_key" ON "Deployment"("jobId");

-- CreateIndex
CREATE INDEX "Deployment_environmentId_id_idx" ON "Deployment"("environmentId", "id");

-- CreateIndex
CREATE INDEX "Deployment_environmentId_serviceName_id_idx" ON "Deployment"("environmentId", "serviceName", "id");

-- CreateIndex
CREATE INDEX "Deployment_status_lockedUntil_idx" ON "Deployment"("status", "lockedUntil");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_environmentId_idempotencyKey_key" ON "Deployment"("environmentId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Container_taskId_key" ON "Container"("taskId");

-- CreateIndex
CREATE INDEX "Container_deploymentId_idx" ON "Container"("deploymentId");

-- CreateIndex
CREATE INDEX "DeploymentEvent_deploymentId_id_idx" ON "DeploymentEvent"("deploymentId", "id");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MagicLink" ADD CONSTRAINT "MagicLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Volume" ADD CONSTRAINT "Volume_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_previousDeploymentId_fkey" FOREIGN KEY ("previousDeploymentId") REFERENCES "Deployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Container" ADD CONSTRAINT "Container_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentEvent" ADD CONSTRAINT "DeploymentEvent_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
