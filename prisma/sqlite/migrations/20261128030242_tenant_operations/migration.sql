-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN "deletedAt" DATETIME;

-- CreateTable
CREATE TABLE "TenantUsageDay" (
    "tenantId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "messagesSent" INTEGER NOT NULL DEFAULT 0,
    "apiRequests" INTEGER NOT NULL DEFAULT 0,
    "rateLimited" INTEGER NOT NULL DEFAULT 0,
    "peakConnections" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("tenantId", "day"),
    CONSTRAINT "TenantUsageDay_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "UsageActiveUser" (
    "tenantId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    PRIMARY KEY ("tenantId", "day", "userId"),
    CONSTRAINT "UsageActiveUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

