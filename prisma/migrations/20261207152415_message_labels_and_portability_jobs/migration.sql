-- CreateTable
CREATE TABLE "message_labels" (
    "messageId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key" TEXT NOT NULL,

    CONSTRAINT "message_labels_pkey" PRIMARY KEY ("messageId","key")
);

-- CreateTable
CREATE TABLE "portability_jobs" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "portability_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "message_labels_userId_key_idx" ON "message_labels"("userId", "key");

-- CreateIndex
CREATE INDEX "portability_jobs_userId_idx" ON "portability_jobs"("userId");

-- CreateIndex
CREATE INDEX "portability_jobs_status_updatedAt_idx" ON "portability_jobs"("status", "updatedAt");

-- AddForeignKey
ALTER TABLE "message_labels" ADD CONSTRAINT "message_labels_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_labels" ADD CONSTRAINT "message_labels_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portability_jobs" ADD CONSTRAINT "portability_jobs_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
