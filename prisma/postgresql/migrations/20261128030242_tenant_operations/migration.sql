-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "deletedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TenantUsageDay" (
    "tenantId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "messagesSent" INTEGER NOT NULL DEFAULT 0,
    "apiRequests" INTEGER NOT NULL DEFAULT 0,
    "rateLimited" INTEGER NOT NULL DEFAULT 0,
    "peakConnections" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TenantUsageDay_pkey" PRIMARY KEY ("tenantId","day")
);

-- CreateTable
CREATE TABLE "UsageActiveUser" (
    "tenantId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    CONSTRAINT "UsageActiveUser_pkey" PRIMARY KEY ("tenantId","day","userId")
);

-- AddForeignKey
ALTER TABLE "TenantUsageDay" ADD CONSTRAINT "TenantUsageDay_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageActiveUser" ADD CONSTRAINT "UsageActiveUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

